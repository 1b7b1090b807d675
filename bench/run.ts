/** `npm run bench` entry (draft). */
import { benchStart } from './a-start';
import { profilesIn, summarizeProfile } from './lib/cpuprofile';
import { log } from './lib/util';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const profileDir = process.argv.includes('--profile') ? '/tmp/aftercare-prof' : undefined;
  const r = await benchStart({ concurrency: 16, durationMs: quick ? 5000 : 20_000, warmupMs: 2000, profileDir });
  log(JSON.stringify({ ratios: r.ratios, cpu: r.cpu, server: r.server }, null, 1));
  if (profileDir) for (const f of profilesIn(profileDir)) log(JSON.stringify(summarizeProfile(f), null, 1));
}
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
