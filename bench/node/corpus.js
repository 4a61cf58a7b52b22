// Writes a corpus of Open Badges 3.0 signed by Digital Bazaar's stack:
//   node corpus.js OUT_DIR N_JCS N_RDFC
// one random did:key issuer per badge, content shaped like laurel's demo badge
// (an achievement with criteria and a rubric under resultDescription, a result
// naming the level earned, evidence). Files: OUT_DIR/jcs-0000.json, rdfc-0000.json ...
import {randomInt, randomUUID} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {issue, newIssuer} from './reference.js';

const V2 = 'https://www.w3.org/ns/credentials/v2';
const OB3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

const DISTRICTS = ['Riverside School District', 'Lakeview Unified', 'Northgate Academy Trust',
  'Cedar Valley Public Schools', 'Harbor City Schools', 'Mesa Verde ISD'];
const ACHIEVEMENTS = [
  ['Formative Assessment in Practice',
    'Designs and uses formative assessment to adjust instruction.',
    'Three annotated lesson plans with student work samples, scored on the district\'s formative assessment rubric.'],
  ['Culturally Responsive Teaching',
    'Plans lessons that draw on students\' backgrounds and communities.',
    'A unit plan and two observed lessons, scored on the district\'s rubric.'],
  ['Digital Literacy Coach',
    'Coaches colleagues in using digital tools for learning.',
    'Six coaching cycles documented with artefacts and reflections.'],
  ['Restorative Practices Facilitator',
    'Leads restorative circles and conferences with students and staff.',
    'Ten facilitated circles logged and one observed conference.']
];
const LEVELS = ['developing', 'proficient', 'distinguished'];

function badge(issuerDid, subjectDid, index) {
  const [name, description, narrative] = ACHIEVEMENTS[index % ACHIEVEMENTS.length];
  const rubricId = `urn:uuid:${randomUUID()}`;
  const levels = LEVELS.map(level => ({
    id: `urn:uuid:${randomUUID()}`, type: ['RubricCriterionLevel'], name: level
  }));
  const achieved = levels[randomInt(levels.length)];
  const validFrom = new Date(Date.UTC(2025, randomInt(12), 1 + randomInt(28)));
  return {
    '@context': [V2, OB3],
    id: `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: {id: issuerDid, type: ['Profile'], name: DISTRICTS[randomInt(DISTRICTS.length)]},
    validFrom: validFrom.toISOString().replace('.000Z', 'Z'),
    name,
    credentialSubject: {
      id: subjectDid,
      type: ['AchievementSubject'],
      achievement: {
        id: `urn:uuid:${randomUUID()}`,
        type: ['Achievement'],
        name,
        description,
        criteria: {narrative},
        resultDescription: [{
          id: rubricId,
          type: ['ResultDescription'],
          name: `${name} rubric`,
          resultType: 'RubricCriterionLevel',
          rubricCriterionLevel: levels
        }]
      },
      result: [{type: ['Result'], resultDescription: rubricId, achievedLevel: achieved.id}]
    },
    evidence: [{
      id: `https://portfolio.example/${randomUUID()}/unit-${1 + randomInt(9)}`,
      type: ['Evidence'],
      name: 'Annotated lesson plans and student work'
    }]
  };
}

// Subjects are did:key too (a teacher's wallet); their keys are never used.
async function subjectDid() {
  return `did:key:${(await Ed25519Multikey.generate()).publicKeyMultibase}`;
}

const [out, nJcs, nRdfc] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
if(!out || !(nJcs >= 0) || !(nRdfc >= 0)) {
  console.error('usage: node corpus.js OUT_DIR N_JCS N_RDFC');
  process.exit(2);
}
mkdirSync(out, {recursive: true});
for(const [prefix, suiteName, count] of [
  ['jcs', 'eddsa-jcs-2022', nJcs], ['rdfc', 'eddsa-rdfc-2022', nRdfc]]) {
  for(let i = 0; i < count; i++) {
    const issuer = await newIssuer();
    const credential = badge(issuer.did, await subjectDid(), i);
    const signed = await issue(credential, issuer.suiteFor(suiteName));
    writeFileSync(join(out, `${prefix}-${String(i).padStart(4, '0')}.json`),
      JSON.stringify(signed, null, 2));
  }
}
console.log(`wrote ${nJcs} eddsa-jcs-2022 and ${nRdfc} eddsa-rdfc-2022 badges to ${out}`);
