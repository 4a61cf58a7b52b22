// Shared parts of the third-party peers: keys from a seed, did:key, a JSON-LD
// document loader over laurel's bundled contexts, and the OWF callbacks.
// Everything protocol-shaped comes from the libraries; this file only wires them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as jose from 'jose';

// The scripts run from a copy inside .tools/oid4vc (where node_modules is); the test
// passes the bundled contexts' folder.
const contextsDir = process.env.LAUREL_CONTEXTS;

export function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** An Ed25519 key (node crypto, Multikey and JWK views) from a 32-byte hex seed. */
export async function keyFromSeed(seedHex) {
  const seed = Buffer.from(seedHex, 'hex');
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const publicJwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  const multikey = await Ed25519Multikey.generate({ seed: new Uint8Array(seed) });
  const did = `did:key:${multikey.publicKeyMultibase}`;
  multikey.controller = did;
  multikey.id = `${did}#${multikey.publicKeyMultibase}`;
  return { privateKey, publicJwk, multikey, did, kid: multikey.id };
}

/** The public JWK of a did:key (Ed25519 only), as a wallet's DID resolver would give it. */
export async function didKeyJwk(didUrl) {
  const did = didUrl.split('#')[0];
  if (!did.startsWith('did:key:z6Mk')) throw new Error(`cannot resolve ${did}`);
  const multikey = await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey',
    controller: did,
    id: `${did}#${did.slice(8)}`,
    publicKeyMultibase: did.slice(8),
  });
  const raw = multikey.publicKey;
  return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') };
}

export function ed25519Signer(privateKey) {
  return async (data) => crypto.sign(null, Buffer.from(data), privateKey).toString('base64url');
}

export async function signJwt(privateKey, header, payload) {
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);
}

/** A document loader that serves laurel's bundled contexts and did:key documents, nothing else. */
export function documentLoader() {
  const index = readJson(path.join(contextsDir, 'INDEX.json'));
  return async (url) => {
    if (index[url]) {
      return { contextUrl: null, documentUrl: url, document: readJson(path.join(contextsDir, index[url])) };
    }
    if (url.startsWith('did:key:')) {
      const did = url.split('#')[0];
      const fingerprint = did.slice(8);
      const method = {
        '@context': 'https://w3id.org/security/multikey/v1',
        id: `${did}#${fingerprint}`,
        type: 'Multikey',
        controller: did,
        publicKeyMultibase: fingerprint,
      };
      const document = url.includes('#')
        ? method
        : {
            '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
            id: did,
            verificationMethod: [method],
            authentication: [method.id],
            assertionMethod: [method.id],
          };
      return { contextUrl: null, documentUrl: url, document };
    }
    throw new Error(`document loader: ${url} is not bundled`);
  };
}

/** The OWF libraries' callbacks: JWT verification through did:key or a header jwk, SHA hashes. */
export function callbacks() {
  return {
    hash: (data, alg) => crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    generateRandom: (length) => crypto.randomBytes(length),
    fetch: (...args) => fetch(...args),
    verifyJwt: async (signer, { compact }) => {
      let jwk;
      if (signer.method === 'did') jwk = await didKeyJwk(signer.didUrl);
      else if (signer.method === 'jwk') jwk = signer.publicJwk;
      else return { verified: false };
      try {
        await jose.compactVerify(compact, await jose.importJWK(jwk, signer.alg));
        return { verified: true, signerJwk: jwk };
      } catch {
        return { verified: false, signerJwk: jwk };
      }
    },
    signJwt: async () => {
      throw new Error('signJwt is wired per script');
    },
  };
}

export function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
