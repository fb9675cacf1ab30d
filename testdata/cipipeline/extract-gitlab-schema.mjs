// Extracts GitLab's CI JSON schema (the object literal with $id
// https://gitlab.com/.gitlab-ci.yml) bundled in gitlab-ci-local's dist/index.js.
import fs from "node:fs";
import vm from "node:vm";
const src = fs.readFileSync(process.argv[2], "utf8");
const at = src.indexOf('"https://gitlab.com/.gitlab-ci.yml"') >= 0 ? src.indexOf('"https://gitlab.com/.gitlab-ci.yml"') : src.indexOf("https://gitlab.com/.gitlab-ci.yml");
if (at < 0) throw new Error("schema not found");
// the object literal starts at the last "{" before its $id that balances to an object containing it
let start = src.lastIndexOf("{", at);
for (;;) {
  const end = matchBrace(src, start);
  if (end > at) { emit(src.slice(start, end + 1)); break; }
  start = src.lastIndexOf("{", start - 1);
  if (start < 0) throw new Error("no enclosing object");
}
function matchBrace(s, i) {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"' || c === "'" || c === "`") {
      for (j++; s[j] !== c; j++) if (s[j] === "\\") j++;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return j;
  }
  return -1;
}
function emit(text) {
  const obj = vm.runInNewContext("(" + text + ")");
  if (obj.$id !== "https://gitlab.com/.gitlab-ci.yml") throw new Error("wrong object: " + obj.$id);
  process.stdout.write(JSON.stringify(obj, null, 2) + "\n");
}
