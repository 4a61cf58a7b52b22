// A verify loop on Digital Bazaar's stack, driven by bench/compare.py over stdin:
//   node worker.js CORPUS_DIR
// Loads every CORPUS_DIR/{jcs,rdfc}-*.json into memory, verifies each once and
// prints {"ready": true, "failures": {...}}; then per line "run SUITE SECONDS" it
// verifies the files of SUITE in turn (bytes -> JSON.parse -> vc.verifyCredential)
// for SECONDS and prints {"count", "seconds", "failures"}; "quit" ends it.
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {createInterface} from 'node:readline';

import {verifyBytes} from './reference.js';

const dir = process.argv[2];
const corpus = {jcs: [], rdfc: []};
for(const name of readdirSync(dir).sort()) {
  const suite = name.split('-')[0];
  if(name.endsWith('.json') && suite in corpus) {
    corpus[suite].push([name, readFileSync(join(dir, name))]);
  }
}

const failures = {};
for(const [suite, files] of Object.entries(corpus)) {
  failures[suite] = [];
  for(const [name, bytes] of files) {
    const result = await verifyBytes(bytes);
    if(!result.verified) {
      const error = result.error?.errors?.[0] ?? result.error ?? result.results?.[0]?.error;
      failures[suite].push(`${name}: ${error?.message ?? 'not verified'}`);
    }
  }
}
console.log(JSON.stringify({ready: true, failures}));

const cursor = {jcs: 0, rdfc: 0};
for await (const line of createInterface({input: process.stdin})) {
  const [command, suite, seconds] = line.trim().split(/\s+/);
  if(command === 'quit') {
    break;
  }
  const files = corpus[suite];
  let count = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + Number(seconds) * 1000;
  let now = started;
  while(now < deadline) {
    for(let i = 0; i < 10; i++) {
      const [, bytes] = files[cursor[suite]];
      cursor[suite] = (cursor[suite] + 1) % files.length;
      if(!(await verifyBytes(bytes)).verified) {
        failed++;
      }
    }
    count += 10;
    now = performance.now();
  }
  console.log(JSON.stringify({count, seconds: (now - started) / 1000, failures: failed}));
}
