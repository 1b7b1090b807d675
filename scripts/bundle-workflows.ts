/** Prebuilds the workflow bundle for production workers (`npm run build`), so they skip webpack at start. */
import { writeFileSync } from 'node:fs';
import { bundleWorkflows } from '../src/temporal/bundle';
import { PREBUILT_BUNDLE } from '../src/worker';

bundleWorkflows()
  .then((bundle) => {
    writeFileSync(PREBUILT_BUNDLE, bundle.code);
    console.log(`workflow bundle written to ${PREBUILT_BUNDLE} (${Math.round(bundle.code.length / 1024)} KiB)`);
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
