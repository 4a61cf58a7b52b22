// A third-party SD-JWT VC issuer (@sd-jwt/sd-jwt-vc): an Open Badge as dc+sd-jwt, signed
// EdDSA by a did:key issuer (kid a DID URL), bound to the holder's key (cnf.jwk).
//
// usage: node issuer_sd_jwt.mjs INPUT.json   (prints {"credential": "<SD-JWT>"})
//   INPUT: {"issuer_seed", "holder_seed", "vct", "exp"?}
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { ed25519Signer, keyFromSeed, print, readJson } from './common.mjs';

const input = readJson(process.argv[2]);
const issuer = await keyFromSeed(input.issuer_seed);
const holder = await keyFromSeed(input.holder_seed);
const sdjwt = new SDJwtVcInstance({
  signer: ed25519Signer(issuer.privateKey),
  signAlg: 'EdDSA',
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: generateSalt,
});
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: issuer.did,
  vct: input.vct,
  iat: now,
  ...(input.exp ? { exp: input.exp } : {}),
  cnf: { jwk: holder.publicJwk },
  sub: holder.did,
  name: 'Formative Assessment in Practice',
  achievement: { name: 'Formative Assessment in Practice', criteria: 'Three annotated lesson plans' },
  email: 'ana@school.example',
};
const credential = await sdjwt.issue(claims, { _sd: ['email', 'achievement'], achievement: { _sd: ['name'] } }, {
  header: { kid: issuer.kid },
});
print({ credential, issuer: issuer.did });
