// Every test file's registry holds the test folder's own model beside the shipped ones, so the
// tests that loop over the registry (contract, differential, bad input, every scenario, the
// report) run it too. Server nodes a test starts load it from the paths the registry hands them.
import { loadModelModule } from '../../reference-server/models/registry.ts';

export const TEST_MODEL_MODULE = 'test/models/ack-log/ack-log.ts';

await loadModelModule(TEST_MODEL_MODULE);
