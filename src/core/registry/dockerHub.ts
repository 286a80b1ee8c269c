/**
 * Docker Hub's names, in one place. Docker normalises an image without a registry to `docker.io` (and the legacy
 * `index.docker.io` to it); the runner and the Docker CLI store its credential under `https://index.docker.io/v1/`;
 * its registry API answers at `registry-1.docker.io`.
 */

/** The registry Docker gives an image name without one (distribution/reference `defaultDomain`). */
export const DOCKER_HUB_DOMAIN = 'docker.io';
/** The legacy spelling Docker rewrites to `docker.io` (distribution/reference `legacyDefaultDomain`). */
export const DOCKER_HUB_LEGACY_DOMAIN = 'index.docker.io';
/** The `auths` key the runner and the Docker CLI read for Docker Hub. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
/** Where Docker Hub's registry API (/v2/) answers. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** Every host name that means Docker Hub's registry, lowercase and without a port. */
export const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([DOCKER_HUB_DOMAIN, DOCKER_HUB_LEGACY_DOMAIN, DOCKER_HUB_API_HOST, 'registry.hub.docker.com']);

/** Whether `host` (lowercase, without a port) is one of Docker Hub's registry hosts. */
export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host);
}
