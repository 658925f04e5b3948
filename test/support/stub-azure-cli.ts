/**
 * A stub Azure CLI for tests of `--entra`: an executable `az` that prints what
 * `az account get-access-token` prints (a new token each call, living `lifetimeSeconds`), or
 * the "please run az login" failure. Put its folder first on PATH and set
 * AZURE_TOKEN_CREDENTIALS=AzureCliCredential so the credential chain asks it and nothing else.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `az` into `folder`; it counts its calls in `folder/calls` and prints token number N. */
export function writeStubAzureCli(folder: string, mode: 'tokens' | 'not-logged-in', lifetimeSeconds: number): void {
  const script =
    mode === 'tokens'
      ? `#!/bin/sh
dir=$(dirname "$0")
count=$(cat "$dir/calls" 2>/dev/null || echo 0)
count=$((count + 1))
echo "$count" > "$dir/calls"
expires=$(( $(date +%s) + ${lifetimeSeconds} ))
printf '{"accessToken":"entra-stub-token-%s","expiresOn":"2030-01-01 00:00:00.000000","expires_on":%s,"subscription":"00000000-0000-0000-0000-000000000000","tenant":"00000000-0000-0000-0000-000000000001","tokenType":"Bearer"}\\n' "$count" "$expires"
`
      : `#!/bin/sh
echo "ERROR: Please run 'az login' to setup account." >&2
exit 1
`;
  const path = join(folder, 'az');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
}
