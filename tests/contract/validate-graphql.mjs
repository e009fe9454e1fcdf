#!/usr/bin/env node
// Validate GraphQL documents against GitHub's published schema (@octokit/graphql-schema).
//
//   node validate-graphql.mjs FILE.graphql...      documents on disk (e.g. src/forge/*.graphql)
//   node validate-graphql.mjs --log FORGE.jsonl    every document the test forge received
//
// Prints one line per document ("ok NAME" or "invalid NAME: message"); exits 1 if any document
// is invalid or none was found.
import { readFileSync } from "node:fs";
import { validate } from "@octokit/graphql-schema";

const args = process.argv.slice(2);
const docs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--log") {
    const file = args[++i];
    let n = 0;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const rec = JSON.parse(line);
      n++;
      if (rec.route === "graphql" && rec.body && typeof rec.body.query === "string")
        docs.push([`${file}:${n}`, rec.body.query]);
    }
  } else {
    docs.push([args[i], readFileSync(args[i], "utf8")]);
  }
}
if (docs.length === 0) {
  console.error("no GraphQL documents found");
  process.exit(1);
}
let bad = 0;
for (const [name, text] of docs) {
  let errors;
  try {
    errors = validate(text);
  } catch (e) {
    errors = [e];
  }
  if (errors.length === 0) {
    console.log(`ok ${name}`);
  } else {
    bad++;
    for (const e of errors) console.log(`invalid ${name}: ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
