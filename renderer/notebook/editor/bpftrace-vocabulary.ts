/**
 * The words of the bpftrace language (as of bpftrace 0.17–0.21), with a line of documentation
 * each: the Monarch highlighter, completion and hovers all read them from here.
 */

/** Probe types (and their short aliases) that start a probe spec: `tracepoint:net:net_dev_queue`. */
export const PROBE_TYPES: Record<string, string> = {
  tracepoint: 'Kernel static tracepoint: tracepoint:category:event (fields in args).',
  rawtracepoint: 'Raw kernel tracepoint (arguments as arg0…): rawtracepoint:event.',
  kprobe: 'Kernel function entry: kprobe:function (arguments arg0…).',
  kretprobe: 'Kernel function return: kretprobe:function (retval).',
  kfunc: 'Kernel function entry through BTF (typed args); alias of fentry.',
  kretfunc: 'Kernel function return through BTF (args and retval); alias of fexit.',
  fentry: 'Kernel function entry through BTF (typed args).',
  fexit: 'Kernel function return through BTF (args and retval).',
  uprobe: 'User function entry: uprobe:/path/to/binary:function.',
  uretprobe: 'User function return: uretprobe:/path/to/binary:function (retval).',
  usdt: 'User static tracepoint: usdt:/path/to/binary:provider:probe.',
  profile: 'Timed sampling on every CPU: profile:hz:99, profile:ms:10.',
  interval: 'Timed output on one CPU: interval:s:1, interval:ms:100.',
  software: 'Kernel software event: software:cpu-clock:1000000.',
  hardware: 'Processor counter: hardware:cache-misses:1000000.',
  watchpoint: 'Memory watchpoint: watchpoint:0xaddr:8:rw.',
  asyncwatchpoint: 'Asynchronous memory watchpoint.',
  iter: 'Kernel object iterator: iter:task, iter:task_file.',
};

/** Short forms bpftrace accepts for probe types. */
export const PROBE_ALIASES: Record<string, string> = {
  t: 'tracepoint',
  rt: 'rawtracepoint',
  k: 'kprobe',
  kr: 'kretprobe',
  f: 'fentry',
  fr: 'fexit',
  u: 'uprobe',
  ur: 'uretprobe',
  U: 'usdt',
  p: 'profile',
  i: 'interval',
  s: 'software',
  h: 'hardware',
  w: 'watchpoint',
  aw: 'asyncwatchpoint',
};

/** Probes without a colon. */
export const SPECIAL_PROBES: Record<string, string> = {
  BEGIN: 'Runs once when the program starts.',
  END: 'Runs once when the program ends (Ctrl-C, exit(), a timeout); maps print after it.',
};

export const KEYWORDS = [
  'if',
  'else',
  'unroll',
  'while',
  'for',
  'return',
  'break',
  'continue',
  'let',
  'config',
  'struct',
  'union',
  'enum',
  'sizeof',
  'offsetof',
  'import',
  'macro',
];

/** Built-in variables. `arg0`…, `sarg0`… are matched by pattern. */
export const BUILTINS: Record<string, string> = {
  pid: 'Process id (kernel tgid).',
  tid: 'Thread id (kernel pid).',
  uid: 'User id.',
  gid: 'Group id.',
  nsecs: 'Nanosecond timestamp (monotonic).',
  elapsed: 'Nanoseconds since the program started.',
  numaid: 'NUMA node id.',
  cpu: 'Processor id.',
  comm: 'Process name (16 characters).',
  kstack: 'Kernel stack trace.',
  ustack: 'User stack trace.',
  args: 'The probe arguments: tracepoint fields (args.len, args->len), fentry/uprobe typed arguments.',
  retval: 'Return value of the traced function (kretprobe, uretprobe, fexit).',
  func: 'Name of the traced function.',
  probe: 'Full name of the probe.',
  curtask: 'Pointer to the current task_struct.',
  rand: 'A random 32-bit number.',
  cgroup: 'Cgroup id of the current process.',
  cpid: 'Child pid (with -c).',
  username: 'Current user name.',
  jiffies: 'Jiffies of the kernel.',
  ctx: 'The probe context pointer.',
};

/** Built-in functions: signature and what they do. */
export const FUNCTIONS: Record<string, { signature: string; doc: string; snippet?: string }> = {
  printf: { signature: 'printf(fmt, ...args)', doc: 'Prints formatted text.', snippet: 'printf("${1:%d}\\n", ${2:pid})' },
  print: {
    signature: 'print(@map [, top [, div]]) / print(value)',
    doc: 'Prints a map now (top N entries, values divided by div) or a value.',
    snippet: 'print(${1:@})',
  },
  clear: { signature: 'clear(@map)', doc: 'Deletes every element of a map (counts start again).', snippet: 'clear(${1:@})' },
  zero: { signature: 'zero(@map)', doc: 'Sets every value of a map to zero.', snippet: 'zero(${1:@})' },
  delete: { signature: 'delete(@map[key])', doc: 'Deletes one element of a map.', snippet: 'delete(${1:@}[${2:key}])' },
  count: { signature: 'count()', doc: 'Counts how many times it is called (per map key).', snippet: 'count()' },
  sum: { signature: 'sum(value)', doc: 'Sums the values.', snippet: 'sum(${1:value})' },
  avg: { signature: 'avg(value)', doc: 'Averages the values.', snippet: 'avg(${1:value})' },
  min: { signature: 'min(value)', doc: 'Keeps the smallest value.', snippet: 'min(${1:value})' },
  max: { signature: 'max(value)', doc: 'Keeps the largest value.', snippet: 'max(${1:value})' },
  stats: { signature: 'stats(value)', doc: 'Count, average and total of the values.', snippet: 'stats(${1:value})' },
  hist: { signature: 'hist(value)', doc: 'Power-of-two histogram of the values.', snippet: 'hist(${1:value})' },
  lhist: { signature: 'lhist(value, min, max, step)', doc: 'Linear histogram of the values.', snippet: 'lhist(${1:value}, ${2:0}, ${3:1000}, ${4:100})' },
  str: { signature: 'str(char *s [, length])', doc: 'Reads a NUL-terminated string.', snippet: 'str(${1:args.name})' },
  buf: { signature: 'buf(void *d [, length])', doc: 'Reads bytes as a hex-escaped string.', snippet: 'buf(${1:ptr}, ${2:len})' },
  ksym: { signature: 'ksym(addr)', doc: 'Kernel symbol name of an address.', snippet: 'ksym(${1:addr})' },
  usym: { signature: 'usym(addr)', doc: 'User symbol name of an address.', snippet: 'usym(${1:addr})' },
  kaddr: { signature: 'kaddr("name")', doc: 'Address of a kernel symbol.', snippet: 'kaddr("${1:name}")' },
  uaddr: { signature: 'uaddr("name")', doc: 'Address of a user symbol.', snippet: 'uaddr("${1:name}")' },
  kptr: { signature: 'kptr(p)', doc: 'Marks a pointer as kernel memory.' },
  uptr: { signature: 'uptr(p)', doc: 'Marks a pointer as user memory.' },
  reg: { signature: 'reg("name")', doc: 'Value of a CPU register.', snippet: 'reg("${1:ip}")' },
  ntop: { signature: 'ntop([af,] addr)', doc: 'IPv4/IPv6 address as text.', snippet: 'ntop(${1:addr})' },
  pton: { signature: 'pton("addr")', doc: 'Text address as bytes.', snippet: 'pton("${1:127.0.0.1}")' },
  macaddr: { signature: 'macaddr(addr)', doc: 'MAC address as text.', snippet: 'macaddr(${1:addr})' },
  time: { signature: 'time(fmt)', doc: 'Prints the current time (strftime format).', snippet: 'time("${1:%H:%M:%S}\\n")' },
  strftime: { signature: 'strftime(fmt, nsecs)', doc: 'Formats a timestamp.', snippet: 'strftime("${1:%H:%M:%S}", ${2:nsecs})' },
  join: { signature: 'join(char *arr[] [, sep])', doc: 'Prints an argv-style array joined by spaces.', snippet: 'join(${1:args.argv})' },
  exit: { signature: 'exit([code])', doc: 'Ends the program (maps print, END runs).', snippet: 'exit()' },
  system: { signature: 'system(fmt, ...)', doc: 'Runs a shell command (needs --unsafe: set the cell option unsafe).', snippet: 'system("${1:command}")' },
  cat: { signature: 'cat(filename)', doc: 'Prints a file.', snippet: 'cat("${1:/proc/loadavg}")' },
  signal: { signature: 'signal(sig)', doc: 'Sends a signal to the current process (needs --unsafe).', snippet: 'signal("${1:SIGKILL}")' },
  override: { signature: 'override(rc)', doc: 'Overrides the return value of a kprobed function (needs --unsafe).' },
  strncmp: { signature: 'strncmp(s1, s2, n)', doc: 'Compares the first n characters.', snippet: 'strncmp(${1:comm}, "${2:bash}", ${3:4})' },
  strcontains: { signature: 'strcontains(haystack, needle)', doc: 'Whether a string contains another.', snippet: 'strcontains(${1:comm}, "${2:text}")' },
  cgroupid: { signature: 'cgroupid(path)', doc: 'Cgroup id of a cgroup path.', snippet: 'cgroupid("${1:/sys/fs/cgroup/…}")' },
  path: { signature: 'path(struct path *)', doc: 'Full path of a file (fentry only).' },
  len: { signature: 'len(ustack|kstack|@map)', doc: 'Number of frames or map elements.' },
  has_key: { signature: 'has_key(@map, key)', doc: 'Whether a map has the key.' },
  bswap: { signature: 'bswap(n)', doc: 'Reverses the byte order.' },
  skboutput: { signature: 'skboutput(path, skb, len, offset)', doc: 'Writes the packet to a pcap file.' },
  unwatch: { signature: 'unwatch(addr)', doc: 'Removes a watchpoint.' },
};

/** `arg0`, `sarg3`, `retval`-like numbered builtins. */
export const NUMBERED_BUILTIN = /^s?arg\d+$/;
