// A third-party OpenID4VP verifier: the OpenWallet Foundation's Openid4vpVerifier makes a
// signed request (client_id decentralized_identifier:<its did:key>, request_uri,
// direct_post, a DCQL query for an Open Badge as ldp_vc), parses and validates the
// answer; Digital Bazaar's @digitalbazaar/vc verifies the presentation (challenge =
// nonce, domain = client_id). Serves on loopback until killed.
//
// usage: node verifier_server.mjs INPUT.json
//   prints {"request": "openid4vp://…", "base"} once listening; GET /result gives the verdict
import http from 'node:http';
import crypto from 'node:crypto';
import { Openid4vpVerifier } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as jose from 'jose';
import { callbacks, documentLoader, keyFromSeed, print, readJson } from './common.mjs';

setGlobalConfig({ allowInsecureUrls: true });

const input = readJson(process.argv[2]);
const me = await keyFromSeed(input.verifier_seed);
const clientId = `decentralized_identifier:${me.did}`;
const verifier = new Openid4vpVerifier({
  callbacks: {
    ...callbacks(),
    signJwt: async (signer, { header, payload }) => ({
      jwt: await new jose.SignJWT(payload).setProtectedHeader(header).sign(me.privateKey),
      signerJwk: me.publicJwk,
    }),
  },
});

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const nonce = crypto.randomBytes(16).toString('base64url');
const state = crypto.randomBytes(16).toString('base64url');
const created = await verifier.createOpenId4vpAuthorizationRequest({
  authorizationRequestPayload: {
    response_type: 'vp_token',
    client_id: clientId,
    response_mode: 'direct_post',
    response_uri: `${base}/response`,
    nonce,
    state,
    dcql_query: {
      credentials: [
        {
          id: 'badge',
          format: 'ldp_vc',
          meta: { type_values: [['https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential']] },
        },
      ],
    },
    client_metadata: { vp_formats_supported: { ldp_vc: { cryptosuite_values: ['eddsa-rdfc-2022'] } } },
  },
  jar: {
    requestUri: `${base}/request.jwt`,
    jwtSigner: { method: 'did', didUrl: me.kid, alg: 'EdDSA' },
    expiresInSeconds: 600,
  },
});
const requestObject = created.jar.authorizationRequestJwt;
let result = { received: false };

server.on('request', async (req, res) => {
  const send = (status, body, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  try {
    if (req.method === 'GET' && req.url === '/request.jwt') {
      return send(200, requestObject, 'application/oauth-authz-req+jwt');
    }
    if (req.method === 'GET' && req.url === '/result') return send(200, result);
    if (req.method === 'POST' && req.url === '/response') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = Object.fromEntries(new URLSearchParams(text));
      const parsed = await verifier.parseOpenid4vpAuthorizationResponse({
        authorizationResponse: form,
        authorizationRequestPayload: created.authorizationRequestPayload,
      });
      const presentation = parsed.dcql.presentations.badge[0];
      const checked = await vc.verify({
        presentation,
        challenge: nonce,
        domain: clientId,
        suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
        documentLoader: documentLoader(),
      });
      result = {
        received: true,
        state_ok: form.state === state,
        verified: checked.verified,
        error: checked.verified ? null : String(checked.error?.message ?? JSON.stringify(checked.error)),
        holder: presentation.holder,
      };
      return send(200, {});
    }
    return send(404, { error: 'not_found' });
  } catch (error) {
    result = { received: true, verified: false, error: String(error.message ?? error) };
    return send(400, { error: 'invalid_request', error_description: String(error.message ?? error) });
  }
});

print({ request: created.authorizationRequest, base });
