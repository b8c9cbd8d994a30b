// The page's template against the modules on disk: every module preloaded (so that a slow link pays one
// round trip for them, not one per level of imports), and nothing preloaded that is gone.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

const template = readFileSync(new URL("../templates/index.html", import.meta.url), "utf8");
const modules = readdirSync(new URL("../static/js/", import.meta.url)).filter((name) => name.endsWith(".js"));
// Modules main.js imports only when the config asks: preloading them would fetch them on every page.
const ON_DEMAND = ["preview.js"]; // a review server's proposed layer (atlas serve --preview)
// Entries the page never loads: the standalone map's (atlas map, app/standalone_map.py inlines it).
const NOT_THE_PAGE = ["standalone.js"];

test("the page starts at main.js, as a module", () => {
  assert.match(template, /<script src="\/static\/js\/main\.js" type="module"><\/script>/);
});

test("every module but the entry is preloaded, and only those", () => {
  const preloaded = [...template.matchAll(/<link rel="modulepreload" href="\/static\/([^"]+)">/g)].map((match) => match[1]);
  const expected = [...modules.filter((name) => name !== "main.js" && !ON_DEMAND.includes(name) && !NOT_THE_PAGE.includes(name)).map((name) => `js/${name}`), "i18n.js"];
  assert.deepEqual([...preloaded].sort(), expected.sort());
});

test("on-demand modules exist, and main.js imports them only behind the config", () => {
  const main = readFileSync(new URL("../static/js/main.js", import.meta.url), "utf8");
  for (const name of ON_DEMAND) {
    assert.ok(modules.includes(name), name);
    assert.doesNotMatch(main, new RegExp(`^import [^;]*? from "\\./${name.replace(".", "\\.")}";`, "m"), `${name} imported statically`);
    assert.match(main, new RegExp(`if \\(config\\.\\w+\\) import\\("\\./${name.replace(".", "\\.")}"\\)`), `${name} imported behind the config`);
  }
});

test("modules import one another by relative paths that exist", () => {
  for (const name of modules) {
    const code = readFileSync(new URL(`../static/js/${name}`, import.meta.url), "utf8");
    for (const [, path] of code.matchAll(/^import [^;]*? from "([^"]+)";/gms)) {
      assert.match(path, /^\.\.?\//, `${name} imports ${path}`);
      assert.ok(readFileSync(new URL(path, new URL(`../static/js/${name}`, import.meta.url))), `${name} imports ${path}`);
    }
  }
});

test("the page never loads the standalone map's entry", () => {
  const main = readFileSync(new URL("../static/js/main.js", import.meta.url), "utf8");
  for (const name of NOT_THE_PAGE) {
    assert.ok(modules.includes(name), name);
    assert.doesNotMatch(template, new RegExp(name.replace(".", "\\.")), `${name} in the page's template`);
    assert.doesNotMatch(main, new RegExp(`"\\./${name.replace(".", "\\.")}"`), `${name} imported by main.js`);
  }
});
