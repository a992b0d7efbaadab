// deploy/docker: no Docker engine runs here, so the Dockerfiles are linted (dockerfile-utils, the
// VS Code Docker extension's validator), checked for what the image promises (non-root by number,
// HEALTHCHECK, exec-form entrypoint, nothing but semroute inside), and the final stage's file list
// is rebuilt in a temp dir from its COPY lines: the entrypoint then runs from there, so a missing
// file, a wrong path or a broken entrypoint fails here as it would in the image.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { ensureBuilt, ROOT } from '../../helpers/cli.js';

const FILES = ['deploy/docker/Dockerfile', 'deploy/docker/Dockerfile.cuda'] as const;

interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

function stages(file: string): Stage[] {
  const d = DockerfileParser.parse(readFileSync(file, 'utf8'));
  const froms = d.getFROMs();
  const all = d.getInstructions();
  return froms.map((f, i) => {
    const start = all.indexOf(f);
    const end = i + 1 < froms.length ? all.indexOf(froms[i + 1]!) : all.length;
    return { name: f.getBuildStage() ?? undefined, image: f.getImage() ?? '', instructions: all.slice(start + 1, end) };
  });
}

/** Arguments as written, flags (--from=...) included. */
const args = (i: Instruction) => i.getTextContent().trim().split(/\s+/).slice(1);
const of = (s: Stage, kw: string) => s.instructions.filter((i) => i.getKeyword() === kw);
/** An exec-form (JSON array) instruction's values. */
const execForm = (i: Instruction) => JSON.parse(i.getRawArgumentsContent() ?? '') as string[];

describe.each(FILES)('%s', (file) => {
  const text = readFileSync(file, 'utf8');
  const final = stages(file).at(-1)!;

  it('lints clean', () => {
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).toEqual([]);
  });

  it('runs as a non-root uid given by number, with a HEALTHCHECK and an exec-form entrypoint', () => {
    const user = args(of(final, 'USER').at(-1)!)[0]!;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(of(final, 'HEALTHCHECK')).toHaveLength(1);
    expect(execForm(of(final, 'ENTRYPOINT')[0]!)).toEqual(['/app/bin/semroute-entrypoint']);
    expect(execForm(of(final, 'CMD')[0]!).slice(0, 3)).toEqual(['serve', '--config', '/etc/semroute/semroute.yaml']);
  });

  it('holds semroute only: no RUN, no ADD in the final stage, no Envoy, Redis or dashboard copied in', () => {
    expect(of(final, 'RUN')).toEqual([]);
    expect(of(final, 'ADD')).toEqual([]);
    const instructions = stages(file).flatMap((st) => st.instructions.filter((i) => ['COPY', 'RUN', 'FROM'].includes(i.getKeyword())).map((i) => i.getRawArgumentsContent() ?? ''));
    for (const line of instructions) expect(line).not.toMatch(/envoy|redis|dashboard/i);
    expect(text).toMatch(/no Envoy, no Redis, no dashboard|same layout/);
  });

  it('copies nothing from the build context that .dockerignore leaves out', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const sources = stages(file).flatMap((st) => of(st, 'COPY').map(args).filter((a) => !a.some((x) => x.startsWith('--from='))).flatMap((a) => a.slice(0, -1)));
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) {
      const top = src.replace(/^\.\//, '').split('/')[0]!;
      expect({ src, ignoredBy: ignored.filter((p) => p === top || p === src) }).toEqual({ src, ignoredBy: [] });
      expect(existsSync(src)).toBe(true);
    }
  });

  it('takes the commit and build date as build args into the environment semroute reads', () => {
    const env = of(final, 'ENV').map((i) => i.getRawArgumentsContent()).join(' ');
    expect(env).toMatch(/SEMROUTE_GIT_COMMIT=\$\{GIT_COMMIT\}/);
    expect(env).toMatch(/SEMROUTE_BUILD_DATE=\$\{BUILD_DATE\}/);
  });
});

describe('the image layout (deploy/docker/Dockerfile) rebuilt from its COPY lines', () => {
  let root: string;
  let entry: string;

  beforeAll(() => {
    ensureBuilt();
    root = mkdtempSync(path.join(os.tmpdir(), 'semroute-image-'));
    const final = stages('deploy/docker/Dockerfile').at(-1)!;
    let workdir = '/';
    for (const i of final.instructions) {
      if (i.getKeyword() === 'WORKDIR') workdir = args(i)[0]!;
      if (i.getKeyword() !== 'COPY') continue;
      const a = args(i);
      const from = a.find((x) => x.startsWith('--from='))?.slice('--from='.length);
      const [src, dst] = a.filter((x) => !x.startsWith('--'));
      // The build stage's WORKDIR is /src, where the repository (and its build output) sits.
      const source = path.join(ROOT, from === 'build' ? path.relative('/src', src!) : src!);
      const target = path.join(root, path.isAbsolute(dst!) ? dst! : path.join(workdir, dst!));
      if (!existsSync(source)) throw new Error(`COPY ${a.join(' ')}: ${source} missing`);
      mkdirSync(path.dirname(target), { recursive: true });
      // node_modules by link (large, and module resolution only needs it to be there); the rest is
      // copied, so that semroute finds its package root, models and proto inside the copy.
      if (path.basename(source) === 'node_modules') symlinkSync(source, target);
      else cpSync(source, target, { recursive: true });
    }
    entry = path.join(root, 'app/bin/semroute-entrypoint');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = (argv: string[], env: Record<string, string> = {}) => {
    try {
      return { code: 0, out: execFileSync(entry, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SEMROUTE_CONFIG: path.join(root, 'etc/semroute/semroute.yaml'), ...env } }) };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { code: err.status, out: `${err.stdout}${err.stderr}` };
    }
  };

  it('the entrypoint is executable and runs `version --json` with the build args', () => {
    expect(statSync(entry).mode & 0o111).not.toBe(0);
    const r = run(['version', '--json'], { SEMROUTE_GIT_COMMIT: 'abc123', SEMROUTE_BUILD_DATE: '2026-12-02T00:00:00Z' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ version: JSON.parse(readFileSync('package.json', 'utf8')).version, commit: 'abc123', buildDate: '2026-12-02T00:00:00Z' });
  });

  it('validates the baked-in config, loading the baked-in models from the copy', () => {
    const r = run(['validate', path.join(root, 'etc/semroute/semroute.yaml')]);
    expect(r.out).toMatch(/valid \(\d+ models/);
    expect(r.code).toBe(0);
  });

  it('flags alone mean `serve --config $SEMROUTE_CONFIG <flags>`', () => {
    const r = run(['--workers', '1'], { SEMROUTE_CONFIG: '/nonexistent/semroute.yaml' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\/nonexistent\/semroute\.yaml/);
  });

  it('runs inject too (same image): --dry-run on a pod', () => {
    const pod = path.join(root, 'pod.json');
    writeFileSync(pod, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'envoy', image: 'e' }] } }));
    const r = run(['inject', '--dry-run', '-f', pod]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/name: semroute/);
  });
});
