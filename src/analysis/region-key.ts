/**
 * The key of a region in `byRegion`: the `x-ms-region` value in lower case with
 * everything but letters, digits, `_` and `-` removed, so "East US 2" becomes
 * "eastus2" (Azure's own short region name) and an `--expect` path can name it:
 * `byRegion.eastus2.requests.ok >= 5`.
 */
export function regionKey(region: string): string {
  return region.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/**
 * The region an answer came from, for `byRegion`: `x-ms-region`, else
 * `x-ms-deployment-name`. Why the fallback: some gateways and deployments send
 * only the deployment's name, and through a pool of deployments that name is
 * what tells the answering backends apart.
 */
export function answeringRegion(view: { region: string | null; deployment: string | null }): string | null {
  return view.region ?? view.deployment;
}
