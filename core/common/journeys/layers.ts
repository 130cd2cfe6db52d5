/**
 * The layer of a step, from its function or tracepoint name. Rules are prefixes of kernel function
 * names, checked in order (the first match wins); docs/journeys.md lists them.
 */
import type { JourneyLayer } from './types.ts';

/** Tracepoints of bpf/skb-journey.bt, by what happens where they fire. */
const TRACEPOINT_LAYERS: Record<string, JourneyLayer> = {
  fib_table_lookup: 'ip',
  net_dev_queue: 'device',
  qdisc_enqueue: 'qdisc',
  qdisc_dequeue: 'qdisc',
  net_dev_start_xmit: 'driver',
  net_dev_xmit: 'driver',
  netif_rx: 'device',
  netif_receive_skb: 'device',
  skb_copy_datagram_iovec: 'socket',
  consume_skb: 'skb',
  kfree_skb: 'skb',
};

const RULES: [RegExp, JourneyLayer][] = [
  // Module functions (pwru prints `ice_clean_tx_irq[ice]`) are drivers unless a rule below is more specific.
  [
    /^(nf_|nft_|ipt_|ip6t_|ebt_|arpt_|xt_|iptable_|ip6table_|br_nf|selinux_ip|apparmor_ip|ipv4_conntrack|ipv6_conntrack|ipv4_confirm|ipv6_confirm)|conntrack/,
    'netfilter',
  ],
  [
    /^(kfree_skb|__kfree_skb|consume_skb|__consume_stateless_skb|kfree_skbmem|sk_skb_reason_drop|skb_release_|skb_free_head|napi_consume_skb|dev_kfree_skb|skb_attempt_defer_free|skb_clone|skb_copy$|pskb_copy|__copy_skb|__?alloc_skb|__?build_skb|__?napi_alloc_skb|skb_orphan)/,
    'skb',
  ],
  [/^(neigh_|__neigh|arp_|ndisc_|ip_neigh)/, 'neighbour'],
  [/^(__qdisc|qdisc_|sch_|dev_qdisc|pfifo|bfifo|fq_|fq_codel|htb_|tbf_|netem_|prio_|tc_|tcf_|cls_|mq_|__dev_xmit_skb)/, 'qdisc'],
  [
    /^(sock_|sk_|__sk_|__sock|sock$|security_sock|skb_copy_datagram|skb_recv_|__skb_recv|__skb_try_recv|skb_consume_udp|skb_free_datagram|inet_sendmsg|inet_recvmsg|inet6_sendmsg|inet6_recvmsg|unix_|netlink_|__netlink|packet_|tpacket_|__sys_|sys_)/,
    'socket',
  ],
  [/^(tcp|__tcp|udp|__udp|udpv6|udp6|icmp|__icmp|raw_|ping_|sctp|inet_csk|inet_twsk|__inet_lookup|inet_lookup|inet_ehash|igmp)/, 'transport'],
  [
    /^(ip_|__ip_|ip6_|__ip6_|ipv6_|ipv4_|inet_gro|inet_gso|inet_add_protocol|fib_|__fib|fib6_|rt_|rt6_|ip_route|dst_|xfrm|__xfrm|esp|ah_|ipip|ip_tunnel|vti|l3mdev|raw_v4|icmpv6_route)/,
    'ip',
  ],
  [
    /^(veth_|loopback_|e1000|igb_|igc_|ixgbe|i40e|ice_|mlx4|mlx5|bnxt_|ena_|virtnet_|virtio_net|vmxnet3|tun_|tap_|r8169|rtl8|iwl|ath|brcm|xennet|hv_netvsc|netvsc)/,
    'driver',
  ],
  [
    /^(dev_|__dev_|netdev_|netif_|__netif|napi_|__napi|gro_|skb_gro|eth_|validate_xmit|xmit_one|enqueue_to_backlog|process_backlog|net_rx_action|br_|bond_|vxlan|geneve|macvlan|ipvlan|vlan_|__vlan|bpf_|tcx_|sch_handle|generic_xdp|do_xdp)/,
    'device',
  ],
  [/^(skb_|__skb|pskb_|__pskb|kmalloc_reserve)/, 'skb'],
];

/** The layer of `fn` (a function name, or a tracepoint name when `tracepoint` is set). */
export function layerOf(fn: string, tracepoint = false): JourneyLayer {
  if (tracepoint) return TRACEPOINT_LAYERS[fn] ?? 'other';
  const name = fn.replace(/\[[^\]]+\]$/, '');
  for (const [rule, layer] of RULES) if (rule.test(name)) return layer;
  return fn.endsWith(']') ? 'driver' : 'other';
}
