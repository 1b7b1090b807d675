// One implementation, shared with the benchmarks (bench/ is compiled by tsconfig.build.json, test/ is not).
export { startPostgres, type PostgresServer } from '../../bench/lib/postgres';
