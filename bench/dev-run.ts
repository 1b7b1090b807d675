/** Scratch entry for trying one benchmark section: node dist/bench/dev-run.js b 200 */
import { benchLateness, benchTimerBaseline } from './b-lateness';
import { log } from './lib/util';

async function main(): Promise<void> {
  const [what, n] = process.argv.slice(2);
  if (what === 'b0') log(JSON.stringify(await benchTimerBaseline({ n: Number(n ?? 200) }), null, 1));
  if (what === 'b') log(JSON.stringify(await benchLateness({ n: Number(n ?? 200) }), null, 1));
}
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
