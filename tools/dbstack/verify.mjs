// Verify a batch of credentials with Digital Bazaar's stack, in one process.
//
//   node verify.mjs < batch.json > results.json
//
// batch.json: {"contexts": "<laurel's vc/contexts folder>", "now": "<ISO date>",
//              "credentials": [ {...}, ... ]}
// results.json: [{"verified": true|false, "errors": ["..."]}, ...], one per credential.
//
// JSON-LD contexts come only from laurel's bundled copies (vc/contexts/INDEX.json):
// nothing is fetched, and both stacks read the same context files. did:key is
// resolved by @digitalbazaar/did-method-key. Status lists are not fetched (the
// entries are laurel's own, on hosts that do not exist in the tests): checkStatus
// answers "not checked", which @digitalbazaar/vc requires to be supplied.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {createVerifyCryptosuite as jcsVerify} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import fs from 'node:fs';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const index = JSON.parse(
  fs.readFileSync(path.join(input.contexts, 'INDEX.json'), 'utf8'));
const didKey = didKeyDriver();
didKey.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

async function documentLoader(url) {
  if(index[url]) {
    const document = JSON.parse(
      fs.readFileSync(path.join(input.contexts, index[url]), 'utf8'));
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKey.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`laurel's test loader does not serve ${url}`);
}

const suite = [
  new DataIntegrityProof({cryptosuite: rdfc}),
  new DataIntegrityProof({cryptosuite: jcsVerify()})
];

function messages(error) {
  if(!error) {
    return [];
  }
  const list = Array.isArray(error) ? error : (error.errors || [error]);
  return list.flatMap(e => (e && e.errors) ? messages(e.errors) :
    [String((e && e.message) || e)]);
}

const results = [];
for(const credential of input.credentials) {
  try {
    const result = await vc.verifyCredential({
      credential,
      suite,
      documentLoader,
      now: new Date(input.now),
      checkStatus: async () => ({verified: true})
    });
    results.push({verified: result.verified, errors: messages(result.error)});
  } catch(e) {
    results.push({verified: false, errors: [String(e && e.message || e)]});
  }
}
process.stdout.write(JSON.stringify(results));
