// Packs the Dataverse solutions: solution/dist/OpenCXTranscript_<a>_<b>_<c>_<d>.zip (unmanaged) and
// OpenCXTranscript_<a>_<b>_<c>_<d>_managed.zip, from the XML source in solution/src and the built control in
// out/controls/OpenCXTranscriptControl; and OpenCXInsights_<a>_<b>_<c>_<d>[_managed].zip, the handoff columns,
// views, charts and dashboard on Case, from solution/insights (a second solution: docs/admin-guide.md). One version, the root package.json "version" (three parts, e.g.
// 0.1.0), is the control's manifest version (checked here) and, with a fourth part 0, the solution's
// (0.1.0.0 in solution.xml, OpenCXTranscript_0_1_0_0.zip: the names Dataverse gives exported zips).
//
// Usage: node solution/scripts/pack.mjs [--out <dir>] [--if-missing] [--only insights]
//   The control is built first (scripts/build-control.mjs) when its output is missing or older than its
//   sources; --if-missing builds only when it is missing (the tests use it, so that a control being edited
//   next door is not rebuilt under them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const controlSource = path.join(root, 'OpenCXTranscriptControl');
const controlOut = path.join(root, 'out', 'controls', 'OpenCXTranscriptControl');
const source = path.join(root, 'solution', 'src', 'Other');
const insightsSource = path.join(root, 'solution', 'insights', 'Other');
const SOLUTION_NAME = 'OpenCXTranscript';
const INSIGHTS_NAME = 'OpenCXInsights';
// Fixed entry dates: the same inputs give byte-identical zips.
const ENTRY_DATE = new Date('2026-01-01T00:00:00Z');

function fail(message) {
  console.error(`solution pack: ${message}`);
  process.exit(1);
}

function argument(name) {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'generated'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function ensureControlBuilt() {
  const bundle = path.join(controlOut, 'bundle.js');
  const missing = !existsSync(bundle) || !existsSync(path.join(controlOut, 'ControlManifest.xml'));
  const stale =
    !missing &&
    !process.argv.includes('--if-missing') &&
    newestSource(controlSource) > statSync(bundle).mtimeMs;
  if (!missing && !stale) return;
  console.log(
    `solution pack: the control is ${missing ? 'not built' : 'older than its sources'}; building it.`,
  );
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-control.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0 || !existsSync(bundle)) {
    fail(
      `the control did not build, so there is nothing to pack. Fix the build (npm run build:control) and run again.`,
    );
  }
}

/**
 * The solution's version: four parts, as Dataverse writes it in solution.xml (major.minor.build.revision).
 * The revision is always 0: an upgrade needs only a higher version, and the control's three-part semantic
 * version already changes with every release.
 */
export const solutionVersionOf = (semver) => `${semver}.0`;

/** The file name Dataverse gives an exported solution: <UniqueName>_<version with _>[_managed].zip. */
export const zipName = (solutionVersion, managed, uniqueName = SOLUTION_NAME) =>
  `${uniqueName}_${solutionVersion.replaceAll('.', '_')}${managed ? '_managed' : ''}.zip`;

const attribute = (xml, element, name) =>
  new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml)?.[1];
const elementText = (xml, element) => new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml)?.[1];
const withoutComments = (xml) => xml.replace(/<!--[\s\S]*?-->\s*/g, '');

/** The files the built manifest declares, plus the manifest itself: what Dataverse loads. */
function controlFiles(manifest) {
  const declared = [...manifest.matchAll(/<(?:code|css|resx|img)\b[^>]*\spath="([^"]+)"/g)].map((m) => m[1]);
  for (const file of declared) {
    if (!existsSync(path.join(controlOut, file)))
      fail(`the manifest declares ${file}, which the build did not produce.`);
  }
  return ['ControlManifest.xml', ...declared];
}

function contentTypes(files) {
  const extensions = [...new Set(files.map((file) => path.extname(file).slice(1).toLowerCase()))].sort();
  const defaults = extensions
    .map((ext) => `<Default Extension="${ext}" ContentType="application/octet-stream" />`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${defaults}</Types>`;
}

/** solution.xml as packed: the version stamped, Managed 1 or 0. */
const stamped = (solutionXml, solutionVersion, managed) =>
  solutionXml
    .replace(/<Version>[^<]*<\/Version>/, `<Version>${solutionVersion}</Version>`)
    .replace(/<Managed>[^<]*<\/Managed>/, `<Managed>${managed ? 1 : 0}</Managed>`);

async function writeZip(outDir, name, entries) {
  const zip = new JSZip();
  for (const [file, content] of entries) zip.file(file, content, { date: ENTRY_DATE, createFolders: false });
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'DOS' });
  writeFileSync(path.join(outDir, name), bytes);
  console.log(`solution pack: ${path.relative(root, path.join(outDir, name))} (${bytes.length} bytes)`);
}

/**
 * OpenCX Insights: solution.xml and customizations.xml only (no code component). Its publisher must be the
 * transcript solution's, to the letter: both solutions' components carry the same prefixes.
 */
async function packInsights(outDir, solutionVersion) {
  const solutionXml = withoutComments(readFileSync(path.join(insightsSource, 'Solution.xml'), 'utf8'));
  const customizationsXml = withoutComments(
    readFileSync(path.join(insightsSource, 'Customizations.xml'), 'utf8'),
  );
  const publisherOf = (xml) => /<Publisher>[\s\S]*<\/Publisher>/.exec(xml)?.[0];
  const transcript = withoutComments(readFileSync(path.join(source, 'Solution.xml'), 'utf8'));
  if (publisherOf(solutionXml) !== publisherOf(transcript))
    fail(
      'solution/insights/Other/Solution.xml must carry the same <Publisher> as solution/src/Other/Solution.xml.',
    );
  for (const managed of [false, true]) {
    await writeZip(outDir, zipName(solutionVersion, managed, INSIGHTS_NAME), [
      ['[Content_Types].xml', contentTypes(['solution.xml', 'customizations.xml'])],
      ['solution.xml', stamped(solutionXml, solutionVersion, managed)],
      ['customizations.xml', customizationsXml],
    ]);
  }
}

async function main() {
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  // npm and the control's manifest take three parts: "Defines the version of the component defined in
  // Semantic Versioning" (Learn, manifest schema reference, "control element", version attribute).
  if (!/^\d+\.\d+\.\d+$/.test(version ?? '')) {
    fail(`package.json "version" is ${version}; it must be major.minor.patch in digits (e.g. 0.1.0).`);
  }
  const solutionVersion = solutionVersionOf(version);
  const outDir = path.resolve(argument('--out') ?? path.join(root, 'solution', 'dist'));
  mkdirSync(outDir, { recursive: true });
  await packInsights(outDir, solutionVersion);
  if (argument('--only') === 'insights') return;
  ensureControlBuilt();

  const manifest = readFileSync(path.join(controlOut, 'ControlManifest.xml'), 'utf8');
  const manifestVersion = attribute(manifest, 'control', 'version');
  if (manifestVersion !== version) {
    fail(
      `the control's manifest has version ${manifestVersion}, package.json has ${version}. ` +
        'Set the version attribute in OpenCXTranscriptControl/ControlManifest.Input.xml to match, then build again.',
    );
  }
  const solutionXml = withoutComments(readFileSync(path.join(source, 'Solution.xml'), 'utf8'));
  const customizationsXml = withoutComments(readFileSync(path.join(source, 'Customizations.xml'), 'utf8'));
  const prefix = elementText(solutionXml, 'CustomizationPrefix');
  const controlName = `${prefix}_${attribute(manifest, 'control', 'namespace')}.${attribute(manifest, 'control', 'constructor')}`;
  if (
    !customizationsXml.includes(`<Name>${controlName}</Name>`) ||
    !solutionXml.includes(`schemaName="${controlName}"`)
  ) {
    fail(`solution/src must name the control ${controlName} (publisher prefix, namespace, constructor).`);
  }

  const files = controlFiles(manifest);
  for (const managed of [false, true]) {
    await writeZip(outDir, zipName(solutionVersion, managed), [
      ['[Content_Types].xml', contentTypes(['solution.xml', ...files])],
      ['solution.xml', stamped(solutionXml, solutionVersion, managed)],
      ['customizations.xml', customizationsXml],
      ...files.map((file) => [`Controls/${controlName}/${file}`, readFileSync(path.join(controlOut, file))]),
    ]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
