/**
 * The Redis backplane's subpath (`@omnisocket/core/redis`): topics shared by
 * every process started with the same Redis. Its own entry point so that the
 * broker client (`redis` on npm, a peer dependency) is loaded only by those
 * who import it.
 *
 * @module
 */

export { RedisBackplane, type RedisBackplaneOptions } from "../backplanes/redis_backplane.ts";
