// A third-party OpenID4VCI issuer: the OpenWallet Foundation's Openid4vciIssuer and
// Oauth2AuthorizationServer (metadata, offer with a pre-authorized code and a PIN, token,
// nonce, credential request and jwt proof checks); Digital Bazaar's @digitalbazaar/vc signs
// an Open Badge (eddsa-rdfc-2022) for the DID whose key the proof names. Serves on
// loopback until killed.
//
// usage: node issuer_server.mjs INPUT.json   (prints {"offer", "pin", "base", "issuer"} once listening)
//   INPUT: {"issuer_seed"}
import http from 'node:http';
import crypto from 'node:crypto';
import { Openid4vciIssuer } from '@openid4vc/openid4vci';
import { Oauth2AuthorizationServer } from '@openid4vc/oauth2';
import { setGlobalConfig } from '@openid4vc/utils';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as jose from 'jose';
import { callbacks, documentLoader, keyFromSeed, print, readJson } from './common.mjs';

setGlobalConfig({ allowInsecureUrls: true });

const input = readJson(process.argv[2]);
const me = await keyFromSeed(input.issuer_seed);
const cb = {
  ...callbacks(),
  signJwt: async (signer, { header, payload }) => ({
    jwt: await new jose.SignJWT(payload).setProtectedHeader(header).sign(me.privateKey),
    signerJwk: me.publicJwk,
  }),
};
const issuer = new Openid4vciIssuer({ callbacks: cb });
const authorizationServer = new Oauth2AuthorizationServer({ callbacks: cb });

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const configurationId = 'OpenBadge_ldp_vc';
const credentialIssuer = issuer.createCredentialIssuerMetadata({
    credential_issuer: base,
    credential_endpoint: `${base}/credential`,
    nonce_endpoint: `${base}/nonce`,
    credential_configurations_supported: {
      [configurationId]: {
        format: 'ldp_vc',
        cryptographic_binding_methods_supported: ['did:key'],
        credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['EdDSA'] } },
        credential_definition: {
          '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
          type: ['VerifiableCredential', 'OpenBadgeCredential'],
        },
      },
    },
  });
const issuerMetadata = {
  originalDraftVersion: 'V1',
  credentialIssuer,
  knownCredentialConfigurations: issuer.getKnownCredentialConfigurationsSupported(credentialIssuer),
  authorizationServers: [
    authorizationServer.createAuthorizationServerMetadata({
      issuer: base,
      token_endpoint: `${base}/token`,
      'pre-authorized_grant_anonymous_access_supported': true,
    }),
  ],
};
const preAuthorizedCode = crypto.randomBytes(24).toString('base64url');
const pin = String(crypto.randomInt(100000, 999999));
const { credentialOffer } = await issuer.createCredentialOffer({
  issuerMetadata,
  credentialConfigurationIds: [configurationId],
  grants: {
    'urn:ietf:params:oauth:grant-type:pre-authorized_code': {
      'pre-authorized_code': preAuthorizedCode,
      tx_code: { input_mode: 'numeric', length: 6 },
    },
  },
});
const nonces = new Set();
const tokens = new Set();
let codeUsed = false;

async function readBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

function requestLike(req) {
  return { method: req.method, url: `${base}${req.url}`, headers: new Headers(req.headers) };
}

function badgeFor(holder) {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: `urn:uuid:${crypto.randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: me.did, type: ['Profile'], name: 'Northside Teacher Academy' },
    validFrom: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z'),
    name: 'Restorative Classroom Practices',
    credentialSubject: {
      id: holder,
      type: ['AchievementSubject'],
      achievement: {
        id: 'urn:uuid:2b0a4d52-6f0e-4d0b-9e55-3c1ad0e0c6a1',
        type: ['Achievement'],
        name: 'Restorative Classroom Practices',
        description: 'Leads restorative circles and repairs harm in the classroom.',
        criteria: { narrative: 'Six facilitated circles, observed and documented.' },
      },
    },
  };
}

server.on('request', async (req, res) => {
  const send = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  try {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/.well-known/openid-credential-issuer') {
      return send(200, issuerMetadata.credentialIssuer);
    }
    if (req.method === 'GET' && path === '/.well-known/oauth-authorization-server') {
      return send(200, issuerMetadata.authorizationServers[0]);
    }
    if (req.method === 'POST' && path === '/token') {
      const body = Object.fromEntries(new URLSearchParams(await readBody(req)));
      const parsed = authorizationServer.parseAccessTokenRequest({ request: requestLike(req), accessTokenRequest: body });
      if (codeUsed) return send(400, { error: 'invalid_grant', error_description: 'code already used' });
      await authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
        authorizationServerMetadata: issuerMetadata.authorizationServers[0],
        grant: parsed.grant,
        accessTokenRequest: parsed.accessTokenRequest,
        request: requestLike(req),
        expectedPreAuthorizedCode: preAuthorizedCode,
        expectedTxCode: pin,
      });
      codeUsed = true;
      const response = await authorizationServer.createAccessTokenResponse({
        authorizationServer: base,
        audience: base,
        expiresInSeconds: 300,
        subject: 'holder',
        signer: { method: 'jwk', publicJwk: me.publicJwk, alg: 'EdDSA' },
      });
      tokens.add(response.access_token);
      return send(200, response);
    }
    if (req.method === 'POST' && path === '/nonce') {
      const cNonce = crypto.randomBytes(16).toString('base64url');
      nonces.add(cNonce);
      return send(200, issuer.createNonceResponse({ cNonce }));
    }
    if (req.method === 'POST' && path === '/credential') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!tokens.has(token)) return send(401, { error: 'invalid_token' });
      const parsed = issuer.parseCredentialRequest({
        issuerMetadata,
        credentialRequest: JSON.parse(await readBody(req)),
      });
      const jwt = parsed.proofs?.jwt?.[0];
      const payload = jose.decodeJwt(jwt);
      if (!nonces.delete(payload.nonce)) return send(400, { error: 'invalid_nonce' });
      const verified = await issuer.verifyCredentialRequestJwtProof({
        issuerMetadata,
        jwt,
        expectedNonce: payload.nonce,
        nonceExpiresAt: new Date(Date.now() + 300000),
      });
      const holder = verified.signer.didUrl.split('#')[0];
      const suite = new DataIntegrityProof({ signer: me.multikey.signer(), cryptosuite: eddsaRdfc2022 });
      const credential = await vc.issue({ credential: badgeFor(holder), suite, documentLoader: documentLoader() });
      tokens.delete(token);
      return send(200, issuer.createCredentialResponse({ credentials: [{ credential }], credentialRequest: parsed }));
    }
    return send(404, { error: 'not_found' });
  } catch (error) {
    return send(400, { error: 'invalid_request', error_description: String(error.message ?? error) });
  }
});

print({ offer: credentialOffer, pin, base, issuer: me.did });
