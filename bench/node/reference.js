// Digital Bazaar's stack, set up the way a verifier on it would be: vc 7, Data
// Integrity with eddsa-jcs-2022 and eddsa-rdfc-2022, did:key through the DID driver,
// and a document loader that serves laurel's bundled contexts (vc/contexts/) and
// never the network. Shared by corpus.js, worker.js and server.js.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {driver as didKeyDriverFactory} from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {
  createSignCryptosuite as jcsSign,
  createVerifyCryptosuite as jcsVerify
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const CONTEXTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vc', 'contexts');

const contexts = new Map();
for(const [url, file] of Object.entries(
  JSON.parse(readFileSync(join(CONTEXTS, 'INDEX.json'), 'utf8')))) {
  contexts.set(url, JSON.parse(readFileSync(join(CONTEXTS, file), 'utf8')));
}

export const didKeyDriver = didKeyDriverFactory();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

/** Bundled contexts and did:key only; anything else is refused (no network). */
export async function documentLoader(url) {
  const document = contexts.get(url);
  if(document !== undefined) {
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKeyDriver.get({url})};
  }
  throw new Error(`document loader: ${url} is not bundled (no network)`);
}

/** Both suites, as a verifier accepting either would pass them to vc.verifyCredential. */
export const verifySuites = [
  new DataIntegrityProof({cryptosuite: jcsVerify()}),
  new DataIntegrityProof({cryptosuite: rdfc})
];

/** Verify one credential given as bytes (a verifier receives bytes, so parsing counts). */
export async function verifyBytes(bytes) {
  const credential = JSON.parse(bytes);
  return vc.verifyCredential({credential, suite: verifySuites, documentLoader});
}

/** A new random did:key issuer: {did, signerFor(suite)}. */
export async function newIssuer() {
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.id = `${did}#${key.publicKeyMultibase}`;
  key.controller = did;
  return {
    did,
    suiteFor(name) {
      const cryptosuite = name === 'eddsa-jcs-2022' ? jcsSign() : rdfc;
      return new DataIntegrityProof({signer: key.signer(), cryptosuite});
    }
  };
}

/** Sign `credential` with vc.issue, as an issuer on this stack would. */
export async function issue(credential, suite) {
  return vc.issue({credential, suite, documentLoader});
}
