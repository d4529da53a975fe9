// Validates External Secrets Operator objects against ESO's own CRD schemas,
// as generated into the @kubernetes-models/external-secrets package
// (installed by tests/peers/install.sh; kubernetes-validate has no ESO kinds).
//
// Two checks per object, so it is as strict as `kubernetes-validate --strict`:
//  - the package's validators (compiled from the CRDs' OpenAPI schemas):
//    types, required fields, enums;
//  - unknown fields, which those validators let through: every key must be
//    a property of the matching interface in the package's type declarations
//    (the same generated schema; an API server with strict field validation
//    rejects such keys too).
//
// Usage: node eso-validate.mjs MODELS_DIR FILE.json...
//   MODELS_DIR: the eso-models directory the installer made (has node_modules)
//   FILE.json:  a `kind: List` or a single object; non-ESO kinds are skipped
// Prints `ok KIND NAMESPACE/NAME` or `error KIND NAMESPACE/NAME: WHY` per ESO
// object and exits 1 if any failed. Never prints field values.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modelsDir, ...files] = process.argv.slice(2);
if (!modelsDir || files.length === 0) {
  console.error("usage: node eso-validate.mjs MODELS_DIR FILE.json...");
  process.exit(2);
}
const nodeModules = path.join(modelsDir, "node_modules");
const eso = path.join(nodeModules, "@kubernetes-models", "external-secrets");

// apiVersion/kind -> model module (without extension) inside the package.
const MODELS = {
  "external-secrets.io/v1/ExternalSecret": "external-secrets.io/v1/ExternalSecret",
  "generators.external-secrets.io/v1alpha1/ECRAuthorizationToken":
    "generators.external-secrets.io/v1alpha1/ECRAuthorizationToken",
};

// --- unknown-field check from the .d.ts declarations --------------------------

const declarations = new Map(); // .d.ts path -> { imports, fields | null }

// Parses one generated declaration file: its imports and the properties of
// its (single) exported interface; `fields` is null for a type alias (enums,
// IntOrString, Time...), which has no properties to check.
function declaration(file) {
  if (declarations.has(file)) return declarations.get(file);
  const text = fs.readFileSync(file, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    for (const name of m[1].split(",").map((s) => s.trim())) imports.set(name, m[2]);
  }
  let fields = null;
  const body = text.match(/^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m);
  if (body) {
    fields = new Map();
    // Top-level properties are indented by exactly four spaces.
    for (const m of body[1].matchAll(/^ {4}"([^"]+)"\??: ([^\n]*)$/gm)) {
      fields.set(m[1], m[2].replace(/;$/, ""));
    }
  }
  const d = { file, imports, fields };
  declarations.set(file, d);
  return d;
}

// The declaration file an import specifier names, seen from `from`.
function resolve(from, spec) {
  const base = spec.startsWith(".")
    ? path.resolve(path.dirname(from), spec)
    : path.join(nodeModules, spec);
  return base.replace(/\.js$/, "") + ".d.ts";
}

// Checks `value` against the TypeScript type text `type` declared in `decl`.
function walk(value, type, decl, where, errors) {
  const array = type.match(/^Array<(.+)>$/);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, array[1], decl, `${where}[${i}]`, errors));
    return;
  }
  // Maps (`{ [key: string]: string; }`), primitives and literals: nothing to check by name.
  if (!/^I\w+$/.test(type)) return;
  const spec = decl.imports.get(type);
  if (!spec) {
    errors.push(`${where}: cannot resolve type ${type} in ${path.basename(decl.file)}`);
    return;
  }
  const file = resolve(decl.file, spec);
  if (!fs.existsSync(file)) {
    errors.push(`${where}: declaration of ${type} not found`);
    return;
  }
  checkObject(value, declaration(file), where, errors);
}

function checkObject(value, decl, where, errors) {
  if (decl.fields === null || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const type = decl.fields.get(key);
    if (type === undefined) {
      errors.push(`${where}.${key}: unknown field`);
    } else {
      walk(v, type, decl, `${where}.${key}`, errors);
    }
  }
}

// --- main ---------------------------------------------------------------------

let failed = 0;
for (const file of files) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const objects = doc.kind === "List" ? doc.items : [doc];
  for (const o of objects) {
    const module = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!module) continue;
    const id = `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
    const errors = [];
    const Model = (await import(pathToFileURL(path.join(eso, module + ".js")).href))[o.kind];
    try {
      new Model(o).validate();
    } catch (e) {
      // ajv messages name the path and the rule, not the value.
      errors.push(String(e.message));
    }
    checkObject(o, declaration(path.join(eso, module + ".d.ts")), "", errors);
    if (errors.length === 0) {
      console.log(`ok ${id}`);
    } else {
      failed++;
      console.log(`error ${id}: ${errors.join("; ")}`);
    }
  }
}
process.exit(failed ? 1 : 0);
