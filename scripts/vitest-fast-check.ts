/**
 * Property tests are deterministic: one fixed fast-check seed for every run (CI and local), so a red
 * run is reproducible. Explore new inputs with FC_SEED=<number> (a failure prints its seed and path).
 */
import fc from 'fast-check';

const seed = Number(process.env.FC_SEED ?? 20261125);
fc.configureGlobal({ seed });
