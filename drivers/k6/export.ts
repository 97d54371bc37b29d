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
import { RUN_CONFIG_FORMAT, RUN_FILES, writeRunFile, type RunConfig } from './run-files.ts';

export const K6_EXPORT_DEFAULTS = {
  archive: 'chatbench.tar',
  serversPlaceholder: '<ws://chat-server-1:8080>',
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
  /** the k6 that builds the archive: the runners' image is the same release */
  k6Version: string;
  /** names the Kubernetes objects; lower-case letters, digits and dashes */
  name: string;
  model: string;
  cachesSettings: boolean;
  /** the server nodes' ws:// URLs, when known now; else placeholders to fill in */
  servers?: string[];
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
  const servers = options.servers?.length ? options.servers : [K6_EXPORT_DEFAULTS.serversPlaceholder];
  write('testrun.yaml', testRunYaml({ name, parallelism, vus, plan, servers, model: options.model, cachesSettings: options.cachesSettings, k6Version: options.k6Version }));
  const runConfig: RunConfig = {
    format: RUN_CONFIG_FORMAT,
    scenario: plan.scenario,
    params: plan.params,
    seed: plan.seed,
    model: options.model,
    parallelism,
    clientsPerVu,
    vus,
    k6: { version: `v${options.k6Version}`, image: runnerImage(options.k6Version) },
    servers,
  };
  writeRunFile(join(outDir, RUN_FILES.runConfig), runConfig);
  files.push(join(outDir, RUN_FILES.runConfig));
  write('README.txt', readme({ name, parallelism, vus, plan, clientsPerVu, model: options.model, k6Version: options.k6Version, servers }));
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

interface TestRunParts {
  name: string;
  parallelism: number;
  vus: number;
  plan: Plan;
  servers: string[];
  model: string;
  cachesSettings: boolean;
  k6Version: string;
}

/** The runners run the release that built the archive (an archive is read by its own major). */
export function runnerImage(k6Version: string): string {
  return `grafana/k6:${k6Version}`;
}

function testRunYaml({ name, parallelism, vus, plan, servers, model, cachesSettings, k6Version }: TestRunParts): string {
  const { resultsDir, resultsClaim, secretName, archive } = K6_EXPORT_DEFAULTS;
  const image = runnerImage(k6Version);
  return `# ${plan.scenario}, seed ${plan.seed}, params ${JSON.stringify(plan.params)}: ${vus} VUs over ${parallelism} runners, model ${model}.
# Targets k6 v${k6Version}, the release that built the archive (the image below). Set the <...> values below. Every runner writes its samples as k6 JSON lines to the shared
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
        value: "${servers.join(',')}"
      - name: ${K6_ENV.coordinator}
        value: "<http://chatbench-coordinator:7070>"
      - name: ${K6_ENV.model}
        value: ${model}
      # whether the model's client caches settings at login
      - name: ${K6_ENV.cachesSettings}
        value: "${cachesSettings}"
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

interface ReadmeParts {
  name: string;
  parallelism: number;
  vus: number;
  plan: Plan;
  clientsPerVu: number;
  model: string;
  k6Version: string;
  servers: string[];
}

function readme({ name, parallelism, vus, plan, clientsPerVu, model, k6Version, servers }: ReadmeParts): string {
  const { resultsDir, resultsClaim, secretName, archive } = K6_EXPORT_DEFAULTS;
  const planOptions = [...Object.entries(plan.params).map(([key, value]) => `--set ${key}=${value}`), `--seed ${plan.seed}`, `--clients-per-vu ${clientsPerVu}`].join(' ');
  return `chatbench ${plan.scenario} for the k6-operator: ${vus} VUs over ${parallelism} runners (${planClients(plan).length} simulated clients), model ${model}
Targets k6 v${k6Version}, the release that built the archive (image ${runnerImage(k6Version)}).

Files
  ${archive}      k6 archive: the entry script, the scenario code, the plan's parameters
  configmap.yaml    the archive as ConfigMap "${name}"
  testrun.yaml      TestRun "${name}" (apiVersion k6.io/v1alpha1, parallelism ${parallelism})
  ${RUN_FILES.runConfig}   what \`chatbench k6 collect\` needs: plan, model, runners, the server nodes

From export to gate
  1. A fresh, empty Postgres database for the run ($DB below) and a ReadWriteMany
     PersistentVolumeClaim "${resultsClaim}" for the runners' output.
  2. The phase coordinator, on a host that mounts that volume at ${resultsDir}, started before the
     nodes: it reads $DB's counters, migrates and seeds it with this plan's population, marks WAL
     per phase and, when the runners have finished and left, reads each node's figures and writes
     ${resultsDir}/${RUN_FILES.coordinator}:
       chatbench k6 coordinate ${plan.scenario} ${planOptions} --model ${model} --pg-url $DB --out ${resultsDir}/${RUN_FILES.coordinator} --port 7070 --allow-remote ${servers.map((url) => `--server ${url}`).join(' ')}
  3. The reference-server nodes on $DB with one secret (CHATBENCH_SECRET set), each serving its
     figures at http://host:port/metrics:
       chatbench serve --model ${model} --pg-url $DB --no-demo --port 8080 [--redis-url URL --node-id a]
     and that secret in a Secret:  kubectl create secret generic ${secretName} --from-literal=secret=...
  4. The nodes' ws:// URLs and the coordinator's URL in testrun.yaml, the nodes' URLs in ${RUN_FILES.runConfig}.
  5. kubectl apply -f configmap.yaml -f testrun.yaml
     Each runner writes its samples, counts, ticks and receipt log as k6 JSON lines to
     ${resultsDir}/<pod>.json (k6 has no ClickHouse output).
  6. When the TestRun and the coordinator have finished, stop the nodes (their open connections
     keep Postgres's counters back), then:
       chatbench k6 collect ${resultsDir} --run-config ${RUN_FILES.runConfig} --pg-url $DB
     reads every runner's file, the coordinator record (with the nodes' figures) and the
     database's counters, and stores one run (driver k6, ${parallelism} runners) with every raw sample, so
     quantiles are exact over all runners. A runner file that is missing or cut short is named
     and nothing is stored (--allow-incomplete stores it marked incomplete, its check failed).
  7. chatbench gate --run <runId> --thresholds <file>   thresholds over all runners' samples
`;
}
