// A third-party wallet answering an OpenID4VP request: the OpenWallet Foundation's
// @openid4vc/openid4vp resolves the openid4vp:// link (fetches and verifies the signed
// request object, checks the client identifier prefix), Digital Bazaar's
// @digitalbazaar/vc signs an ldp_vc presentation (eddsa-rdfc-2022), @sd-jwt/sd-jwt-vc
// makes an SD-JWT+KB, jose signs a jwt_vc_json VP-JWT (VC DM 1.1 "vp" claim, over
// nonce and aud), and the OWF library posts the answer (direct_post).
//
// usage: node wallet_present.mjs INPUT.json   (prints one JSON line)
//   INPUT: {"request", "format": "ldp_vc" | "dc+sd-jwt" | "jwt_vc_json", "holder_seed", "credential",
//           "override": {"nonce"?, "audience"?, "query_id"?}}
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import {
  callbacks,
  documentLoader,
  ed25519Signer,
  keyFromSeed,
  print,
  readJson,
  signJwt,
} from './common.mjs';

setGlobalConfig({ allowInsecureUrls: true }); // the verifier listens on loopback http in tests

const input = readJson(process.argv[2]);
const override = input.override ?? {};
const client = new Openid4vpClient({ callbacks: callbacks() });

const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: input.request });
const resolved = await client.resolveOpenId4vpAuthorizationRequest({
  authorizationRequestPayload: parsed.params,
});
const request = resolved.authorizationRequestPayload;
const nonce = override.nonce ?? request.nonce;
const audience = override.audience ?? resolved.client.effective;
const holder = await keyFromSeed(input.holder_seed);

const queries = request.dcql_query.credentials;
const query = queries.find((q) => q.format === input.format);
let presentation;
if (input.format === 'ldp_vc') {
  const suite = new DataIntegrityProof({ signer: holder.multikey.signer(), cryptosuite: eddsaRdfc2022 });
  const unsigned = vc.createPresentation({
    verifiableCredential: [input.credential],
    holder: holder.did,
    version: 2.0,
  });
  presentation = await vc.signPresentation({
    presentation: unsigned,
    suite,
    challenge: nonce,
    domain: audience,
    documentLoader: documentLoader(),
  });
} else if (input.format === 'dc+sd-jwt') {
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    kbSigner: ed25519Signer(holder.privateKey),
    kbSignAlg: 'EdDSA',
  });
  presentation = await sdjwt.present(
    input.credential,
    { achievement: { name: true } },
    { kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: audience, nonce } } },
  );
} else if (input.format === 'jwt_vc_json') {
  // OID4VP 1.0, "VC signed as a JWT, not using JSON-LD": nonce and aud as claims.
  presentation = await signJwt(
    holder.privateKey,
    { alg: 'EdDSA', typ: 'JWT', kid: holder.kid },
    {
      iss: holder.did,
      aud: audience,
      nonce,
      iat: Math.floor(Date.now() / 1000),
      vp: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiablePresentation'],
        verifiableCredential: [input.credential],
      },
    },
  );
} else {
  throw new Error(`unsupported format ${input.format}`);
}

const queryId = override.query_id ?? query.id;
const response = await client.createOpenid4vpAuthorizationResponse({
  authorizationRequestPayload: request,
  authorizationResponsePayload: { vp_token: { [queryId]: [presentation] } },
});
const submitted = await client.submitOpenid4vpAuthorizationResponse({
  authorizationRequestPayload: request,
  authorizationResponsePayload: response.authorizationResponsePayload,
});
const text = await submitted.response.text();
print({
  status: submitted.response.status,
  body: text ? JSON.parse(text) : null,
  client_id: resolved.client.effective,
  client_prefix: resolved.client.prefix,
  signer: resolved.jar?.signer?.method,
  nonce: request.nonce,
  response_uri: request.response_uri,
  posted: response.authorizationResponsePayload,
});
