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
