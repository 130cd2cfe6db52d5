/**
 * What to tell a user whose machine lacks a tool: one table of tool → Debian/Ubuntu package, so
 * every "not installed" message names the command that fixes it.
 */

/** Debian/Ubuntu package of each tool Probebook runs or suggests. */
export const TOOL_PACKAGES: Record<string, string> = {
  bash: 'bash',
  bpftrace: 'bpftrace',
  bpftool: 'bpftool',
  tcpdump: 'tcpdump',
  tshark: 'tshark',
  iperf3: 'iperf3',
  iptables: 'iptables',
  'iptables-save': 'iptables',
  nft: 'nftables',
  ip: 'iproute2',
  tc: 'iproute2',
  ss: 'iproute2',
  ping: 'iputils-ping',
  nmap: 'nmap',
  traceroute: 'traceroute',
  curl: 'curl',
  sudo: 'sudo',
  pkexec: 'pkexec',
  pwru: 'pwru',
  // Tools lab cells use beside them.
  nc: 'netcat-openbsd',
  netcat: 'netcat-openbsd',
  socat: 'socat',
  dig: 'dnsutils',
  nslookup: 'dnsutils',
  ethtool: 'ethtool',
  arping: 'iputils-arping',
  'arp-scan': 'arp-scan',
  hping3: 'hping3',
  mtr: 'mtr-tiny',
  conntrack: 'conntrack',
  bridge: 'iproute2',
  nstat: 'iproute2',
  jq: 'jq',
  perf: 'linux-perf',
  python3: 'python3',
  strace: 'strace',
  nmcli: 'network-manager',
  iw: 'iw',
};

/** The command that installs `tool`, e.g. `sudo apt install bpftrace`. */
export function installCommand(tool: string): string {
  if (tool === 'pwru') return 'download pwru from https://github.com/cilium/pwru/releases (it is not packaged for Debian 12)';
  return `sudo apt install ${TOOL_PACKAGES[tool] ?? tool}`;
}

/** "bpftrace is not installed: sudo apt install bpftrace" */
export function missingToolMessage(tool: string): string {
  return `${tool} is not installed: ${installCommand(tool)}`;
}

/**
 * What to add to a failed shell cell whose bash said `cell: line N: TOOL: command not found`:
 * "nc is not installed: sudo apt install netcat-openbsd" for a tool we know the package of,
 * "TOOL is not installed or not on PATH" for any other. Null when bash said no such thing.
 */
export function commandNotFoundHint(stderr: string): string | null {
  const m = /^cell: (?:eval: )?line \d+: ([^\s:]+): command not found$/m.exec(stderr);
  if (!m) return null;
  const tool = m[1]!;
  return Object.hasOwn(TOOL_PACKAGES, tool) ? missingToolMessage(tool) : `${tool} is not installed or not on PATH`;
}
