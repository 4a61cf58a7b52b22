// Compile AnchorRegistry.sol with solc-js (the npm package `solc`, offline) into the
// artifact committed beside it: `node compile.mjs SOLC_DIR [OUT]` (OUT: - for stdout).
// scripts/build-contract installs the pinned solc and runs this; a test compares a
// fresh compile with the committed AnchorRegistry.json byte for byte.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [solcDir, out = join(here, "AnchorRegistry.json")] = process.argv.slice(2);
if (!solcDir) {
  console.error("usage: node compile.mjs SOLC_DIR [OUT|-]");
  process.exit(2);
}
// createRequire wants an absolute path; SOLC_DIR may be relative (.tools/node_modules).
const solc = createRequire(join(resolve(solcDir), "noop.js"))("solc");
const source = readFileSync(join(here, "AnchorRegistry.sol"), "utf8");
const settings = {
  // paris: no PUSH0, so the same bytecode runs on py-evm, anvil and every public chain.
  evmVersion: "paris",
  optimizer: { enabled: true, runs: 10000 },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};
const input = { language: "Solidity", sources: { "AnchorRegistry.sol": { content: source } }, settings };
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);
const contract = output.contracts["AnchorRegistry.sol"].AnchorRegistry;
const artifact = {
  contractName: "AnchorRegistry",
  compiler: { name: "solc-js", version: solc.version() },
  settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer },
  sourceSha256: createHash("sha256").update(source).digest("hex"),
  abi: contract.abi,
  bytecode: "0x" + contract.evm.bytecode.object,
  deployedBytecode: "0x" + contract.evm.deployedBytecode.object,
};
const text = JSON.stringify(artifact, null, 2) + "\n";
if (out === "-") process.stdout.write(text);
else writeFileSync(out, text);
