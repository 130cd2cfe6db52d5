import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCgroup2Mount } from './detect-containment.ts';

test('finds the cgroup v2 mount on hybrid and pure v2 systems', () => {
  const hybrid = 'tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';
  assert.equal(findCgroup2Mount(hybrid), '/sys/fs/cgroup/unified');
  assert.equal(findCgroup2Mount('cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n'), '/sys/fs/cgroup');
  assert.equal(findCgroup2Mount('cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n'), null);
});
