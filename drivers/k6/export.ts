// `chatbench k6 export`: what a user applies to a Kubernetes cluster running the k6-operator to
// run a scenario's plan from N load generators. The script and every module it imports go into
// one k6 archive (`k6 archive` bundles them and bakes in the plan's scenario, params, seed and
// VU count); a ConfigMap carries it; a TestRun runs it with `parallelism: N` (the operator gives
// each runner its own execution segment). Where to connect and the phase coordinator are set on
// the runners, per deployment. Samples leave each runner as k6 JSON lines on a shared volume.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { planClients, type Plan } from '../../scenarios/plan.ts';
import { K6_ENV, planEnv, vusFor } from './config.ts';
import { K6_SCRIPT_PATH } from './driver.ts';

export const K6_EXPORT_DEFAULTS = {
  archive: 'chatbench.tar',
  /** k6 image for the runners: the release `npm run setup:k6` builds */
  image: 'grafana/k6:1.8.1',
  resultsDir: '/results',
  resultsClaim: 'chatbench-results',
  secretName: 'chatbench',
};

export interface K6ExportOptions {
  plan: Plan;
  parallelism: number;
  clientsPerVu: number;
  outDir: string;
  k6Path: string;
  /** names the Kubernetes objects; lower-case letters, digits and dashes */
  name: string;
}

export interface K6ExportResult {
  files: string[];
  vus: number;
}

export async function exportForOperator(options: K6ExportOptions): Promise<K6ExportResult> {
  const { plan, parallelism, clientsPerVu, outDir, name } = options;
  const clients = planClients(plan).length;
  const vus = vusFor(clients, clientsPerVu);
  if (parallelism > clients) throw new RangeError(`--parallelism ${parallelism}: the plan has ${clients} clients, so at most ${clients} runners`);
  if (parallelism > vus) throw new RangeError(`--parallelism ${parallelism}: the plan makes ${vus} VUs (one per ${clientsPerVu} clients); every runner needs at least one (lower --clients-per-vu)`);
  mkdirSync(outDir, { recursive: true });
  const archivePath = join(outDir, K6_EXPORT_DEFAULTS.archive);
  const env = planEnv({ scenario: plan.scenario, params: plan.params, seed: plan.seed, clientsPerVu });
  // -e values are stored in the archive; the runtime ones (servers, secret) are not known here
  const args = ['archive', '--quiet', ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]), '-O', archivePath, K6_SCRIPT_PATH];
  try {
    await promisify(execFile)(options.k6Path, args, { env: { ...process.env, K6_NO_USAGE_REPORT: 'true' }, timeout: 120_000 });
  } catch (error) {
    rmSync(archivePath, { force: true });
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`k6 archive failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const archive = readFileSync(archivePath);
  if (archive.length > 1_000_000) throw new Error(`${archivePath} is ${archive.length} bytes: over what one ConfigMap holds (1 MiB); serve it from a volume instead`);
  const files = [archivePath];
  const write = (file: string, text: string) => {
    const path = join(outDir, file);
    writeFileSync(path, text);
    files.push(path);
  };
  write('configmap.yaml', configMapYaml(name, archive));
  write('testrun.yaml', testRunYaml({ name, parallelism, vus, plan }));
  write('README.txt', readme({ name, parallelism, vus, plan, clientsPerVu }));
  return { files, vus };
}

function configMapYaml(name: string, archive: Buffer): string {
  const base64 = archive.toString('base64').replace(/.{1,76}/g, (line) => `    ${line}\n`);
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    'binaryData:',
    `  ${K6_EXPORT_DEFAULTS.archive}: |`,
    base64.trimEnd(),
    '',
  ].join('\n');
}

function testRunYaml({ name, parallelism, vus, plan }: { name: string; parallelism: number; vus: number; plan: Plan }): string {
  const { resultsDir, resultsClaim, secretName, image, archive } = K6_EXPORT_DEFAULTS;
  return `# ${plan.scenario}, seed ${plan.seed}, params ${JSON.stringify(plan.params)}: ${vus} VUs over ${parallelism} runners.
# Set the two <...> values below. Every runner writes its samples as k6 JSON lines to the shared
# volume (one file per pod); see README.txt for how they reach the metrics store.
apiVersion: k6.io/v1alpha1
kind: TestRun
metadata:
  name: ${name}
spec:
  parallelism: ${parallelism}
  script:
    configMap:
      name: ${name}
      file: ${archive}
  arguments: --no-usage-report --summary-mode=disabled --system-tags=
  runner:
    image: ${image}
    env:
      - name: POD_NAME
        valueFrom:
          fieldRef:
            fieldPath: metadata.name
      # one JSON file per runner; Kubernetes expands $(POD_NAME)
      - name: K6_OUT
        value: json=${resultsDir}/$(POD_NAME).json
      - name: ${K6_ENV.serverUrls}
        value: "<ws://chat-server-1:8080,ws://chat-server-2:8080>"
      - name: ${K6_ENV.coordinator}
        value: "<http://chatbench-coordinator:7070>"
      - name: ${K6_ENV.model}
        value: watermark
      # true for a model whose client caches settings at login (watermark)
      - name: ${K6_ENV.cachesSettings}
        value: "true"
      - name: ${K6_ENV.secret}
        valueFrom:
          secretKeyRef:
            name: ${secretName}
            key: secret
    volumeMounts:
      - name: results
        mountPath: ${resultsDir}
    volumes:
      - name: results
        persistentVolumeClaim:
          claimName: ${resultsClaim}
`;
}

function readme({ name, parallelism, vus, plan, clientsPerVu }: { name: string; parallelism: number; vus: number; plan: Plan; clientsPerVu: number }): string {
  return `chatbench ${plan.scenario} for the k6-operator: ${vus} VUs over ${parallelism} runners (${planClients(plan).length} simulated clients)

Files
  ${K6_EXPORT_DEFAULTS.archive}   k6 archive: the entry script, the scenario code, the plan's parameters
  configmap.yaml  the archive as ConfigMap "${name}"
  testrun.yaml    TestRun "${name}" (apiVersion k6.io/v1alpha1, parallelism ${parallelism})

Before applying
  1. Reference-server nodes reachable from the runners, started with one secret:
       chatbench serve --model <id> --port 8080 (with CHATBENCH_SECRET set)
     and that secret in a Secret:  kubectl create secret generic ${K6_EXPORT_DEFAULTS.secretName} --from-literal=secret=...
  2. The database seeded with this plan's users and conversations. chatbench run seeds them
     for its own servers; for servers of your own there is no seeding command yet.
  3. A phase coordinator reachable from the runners: the plan has ${plan.phases.length} phases and every
     VU of every runner must finish one before any starts the next. Serve it with the same
     scenario options as this export:
       chatbench k6 coordinate ${plan.scenario} ${Object.entries(plan.params).map(([key, value]) => `--set ${key}=${value}`).join(' ')} --seed ${plan.seed} --clients-per-vu ${clientsPerVu} --port 7070
  4. A ReadWriteMany PersistentVolumeClaim "${K6_EXPORT_DEFAULTS.resultsClaim}" for the runners' JSON output.
  5. Fill in the <...> values in testrun.yaml.

Apply
  kubectl apply -f configmap.yaml -f testrun.yaml

Samples
  k6 has no ClickHouse output. Each runner writes its samples (latency_ack, latency_delivery,
  latency_receipt, latency_sync as raw values, action counters, client errors, the clients'
  ticks) as JSON lines to ${K6_EXPORT_DEFAULTS.resultsDir}/<pod>.json. The local k6 driver reads such files with
  drivers/k6/output.ts, one part per k6 process, and stores every raw sample, so quantiles over
  all processes are exact (computed over the union, never averaged). A command that turns a
  cluster's files plus the servers' figures into a stored run is not built yet.
`;
}
