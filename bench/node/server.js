// A minimal VC-API verifier on Digital Bazaar's stack, the reference bench.serve
// loads beside `laurel serve`: one node process, node:http, no framework.
//   node server.js PORT
// POST /credentials/verify {"verifiableCredential": {...}} answers 200
// {"checks": ["proof"], "warnings": [], "errors": []} when vc.verifyCredential
// verifies it, else 400 with the errors (VC Verification API, "Verify Credential").
// GET /health answers 200 (readiness for the bench).
import {createServer} from 'node:http';

import * as vc from '@digitalbazaar/vc';

import {documentLoader, verifySuites} from './reference.js';

const MAX_BODY = 1 << 20;

function reply(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text)
  });
  response.end(text);
}

async function verify(request, response) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if(size > MAX_BODY) {
      return reply(response, 413, {errors: ['body too large']});
    }
    chunks.push(chunk);
  }
  let credential;
  try {
    credential = JSON.parse(Buffer.concat(chunks)).verifiableCredential;
  } catch {
    return reply(response, 400, {errors: ['body is not JSON']});
  }
  if(typeof credential !== 'object' || credential === null) {
    return reply(response, 400, {errors: ['verifiableCredential is required']});
  }
  const result = await vc.verifyCredential({credential, suite: verifySuites, documentLoader});
  if(result.verified) {
    return reply(response, 200, {checks: ['proof'], warnings: [], errors: []});
  }
  const error = result.error?.errors?.[0] ?? result.error;
  return reply(response, 400, {checks: ['proof'], warnings: [],
    errors: [String(error?.message ?? 'not verified')]});
}

const server = createServer((request, response) => {
  if(request.method === 'POST' && request.url === '/credentials/verify') {
    verify(request, response).catch(error => reply(response, 500, {errors: [String(error)]}));
  } else if(request.method === 'GET' && request.url === '/health') {
    reply(response, 200, {status: 'ok'});
  } else {
    reply(response, 404, {errors: ['not found']});
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
