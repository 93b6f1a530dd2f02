/**
 * What a process's cgroup path says about where it runs: the container ID (64 hex digits, as
 * Docker, containerd and CRI-O name their scopes: docker-<id>.scope, cri-containerd-<id>.scope,
 * crio-<id>.scope, /docker/<id>) and the Kubernetes pod UID (kubepods...-pod<uid>.slice with
 * the systemd driver, where the UID's dashes are underscores, or /kubepods/<qos>/pod<uid>/).
 */

/** The cgroup v2 path of /proc/PID/cgroup (the `0::` line), else the first line's path. */
export function cgroupPath(procCgroup: string): string {
  const lines = procCgroup.split('\n').filter((l) => l !== '');
  const v2 = lines.find((l) => l.startsWith('0::'));
  const line = v2 ?? lines[0] ?? '';
  return line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
}

export function containerId(path: string): string | undefined {
  const m = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?(?:\/|$)/.exec(path);
  return m?.[1];
}

export function podUid(path: string): string | undefined {
  const m = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/.exec(path);
  return m?.[1]?.replace(/_/g, '-');
}
