// A third-party wallet receiving a badge over OpenID4VCI (the OpenWallet Foundation's
// @openid4vc/openid4vci): resolve the offer and the issuer's metadata, redeem the
// pre-authorized code with the PIN, get a c_nonce, prove the holder's did:key, fetch.
//
// usage: node wallet_receive.mjs INPUT.json   (prints one JSON line)
//   INPUT: {"offer", "pin", "holder_seed", "configuration"?, "attack"?: "replay" | "alg_none"
//           | "other_key" | "nonce_reuse"}
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { setGlobalConfig } from '@openid4vc/utils';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import * as jose from 'jose';
import { callbacks, keyFromSeed, print, readJson } from './common.mjs';

setGlobalConfig({ allowInsecureUrls: true }); // the issuer listens on loopback http in tests

const input = readJson(process.argv[2]);
const holder = await keyFromSeed(input.holder_seed);
const other = await keyFromSeed('11'.repeat(32));
const client = new Openid4vciClient({
  callbacks: {
    ...callbacks(),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      const key = input.attack === 'other_key' ? other.privateKey : holder.privateKey;
      const jwt = await new jose.SignJWT(payload).setProtectedHeader(header).sign(key);
      return { jwt, signerJwk: holder.publicJwk };
    },
  },
});

async function attempt(step) {
  try {
    return { ok: true, value: await step() };
  } catch (error) {
    const body = error.errorResponse ?? null;
    return { ok: false, error: String(error.message ?? error), body, status: error.response?.status };
  }
}

const offer = await client.resolveCredentialOffer(input.offer);
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
const configuration = input.configuration ?? offer.credential_configuration_ids[0];
const token = await attempt(() =>
  client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata, txCode: input.pin }),
);
if (!token.ok) {
  print({ stage: 'token', ...token });
  process.exit(0);
}
const accessToken = token.value.accessTokenResponse.access_token;
const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
let { jwt: proof } = await client.createCredentialRequestJwtProof({
  issuerMetadata,
  credentialConfigurationId: configuration,
  nonce,
  signer: { method: 'did', didUrl: holder.kid, alg: 'EdDSA' },
});
if (input.attack === 'alg_none') {
  const [, payload] = proof.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'openid4vci-proof+jwt', kid: holder.kid })).toString('base64url');
  proof = `${header}.${payload}.`;
}
const credential = await attempt(() =>
  client.retrieveCredentials({ issuerMetadata, accessToken, credentialConfigurationId: configuration, proofs: { jwt: [proof] } }),
);
const result = { stage: 'credential', holder: holder.did, ...credential };
if (credential.ok) {
  result.value = credential.value.credentialResponse;
}
if (input.attack === 'replay') {
  // The same pre-authorized code again, after it was redeemed.
  result.replay = await attempt(() =>
    client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata, txCode: input.pin }),
  );
}
print(result);
