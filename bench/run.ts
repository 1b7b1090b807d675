/** `npm run bench` entry (draft). */
import { benchStart } from './a-start';
import { log } from './lib/util';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const r = await benchStart({ concurrency: 16, durationMs: quick ? 5000 : 20_000, warmupMs: 2000 });
  log(JSON.stringify(r, null, 1));
}
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
