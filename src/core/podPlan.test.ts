import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JOB_IPADDR_LABEL, POD0_IPADDR_LABEL } from "./ipaddr";
import { labelValueProblem } from "./labels";
import {
  GPU_RESOURCE,
  jobPodLabels,
  LABEL_JOB_NUMBER,
  LABEL_MANAGED_BY,
  LABEL_POD_INDEX,
  LABEL_TENANT,
  LABEL_USER,
  MANAGED_BY,
  POD_SCHEDULER_NAME,
  podName,
  podPlan,
  walltimeSeconds,
  type JobForPlan,
  type MachineShape,
  type PlannedPod,
} from "./podPlan";
import { vaultClaimName, vaultMount, type JobVault } from "./vaultVolumes";

// A fluent builder in the style of test/builders.ts: defaults, then only what a test cares about.
class JobBuilder {
  private j: JobForPlan = {
    number: 42,
    username: "bob",
    tenant: "acme",
    image: "registry.example.com/app:1",
    command: ["/usr/bin/app", "--flag"],
    machine: { name: "n1", cores: 4, memoryGb: 16, gpus: 0, nodeSelector: {} },
    nodes: 1,
    namespace: "jarvice-system-jobs",
  };

  number(n: number): this {
    this.j.number = n;
    return this;
  }
  by(username: string, tenant = this.j.tenant): this {
    this.j.username = username;
    this.j.tenant = tenant;
    return this;
  }
  nodes(n: number): this {
    this.j.nodes = n;
    return this;
  }
  machine(m: Partial<MachineShape>): this {
    this.j.machine = { ...this.j.machine, ...m };
    return this;
  }
  tagged(value: string): this {
    this.j.ipaddr = value;
    return this;
  }
  env(env: Record<string, string>): this {
    this.j.env = env;
    return this;
  }
  walltime(walltime: string): this {
    this.j.walltime = walltime;
    return this;
  }
  lasting(seconds: number): this {
    this.j.durationSeconds = seconds;
    return this;
  }
  build(): JobForPlan {
    return { ...this.j, machine: { ...this.j.machine, nodeSelector: { ...this.j.machine.nodeSelector } } };
  }
}
const aJob = (): JobBuilder => new JobBuilder();

const container = (p: PlannedPod) => p.spec.containers[0]!;
const envOf = (p: PlannedPod): Record<string, string> => Object.fromEntries(container(p).env.map((e) => [e.name, e.value]));

describe("podPlan: N pods, index 0..N-1", () => {
  it.each([1, 2, 5])("plans %i pod(s) named jarvice-job-<number>-<index>", (n) => {
    const pods = podPlan(aJob().number(7).nodes(n).build());
    expect(pods).toHaveLength(n);
    expect(pods.map((p) => p.metadata.name)).toEqual(Array.from({ length: n }, (_, i) => `jarvice-job-7-${i}`));
    expect(pods.map((p) => p.metadata.labels[LABEL_POD_INDEX])).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    for (const [i, p] of pods.entries()) {
      expect(p.metadata.name).toBe(podName(7, i));
      expect(p.spec.hostname).toBe(podName(7, i));
      expect(p.metadata.namespace).toBe("jarvice-system-jobs");
      expect(p.apiVersion).toBe("v1");
      expect(p.kind).toBe("Pod");
      expect(p.spec.restartPolicy).toBe("Never");
    }
  });

  it("runs the job's image and command on every pod", () => {
    for (const p of podPlan(aJob().nodes(3).build())) {
      expect(p.spec.containers).toHaveLength(1);
      expect(container(p).image).toBe("registry.example.com/app:1");
      expect(container(p).command).toEqual(["/usr/bin/app", "--flag"]);
    }
  });

  it("uses jarvice-pod-scheduler", () => {
    expect(POD_SCHEDULER_NAME).toBe("jarvice-pod-scheduler");
    for (const p of podPlan(aJob().nodes(2).build())) expect(p.spec.schedulerName).toBe("jarvice-pod-scheduler");
  });
});

describe("podPlan: labels", () => {
  it("labels every pod with job number, user, tenant, index and managed-by", () => {
    const pods = podPlan(aJob().number(9).by("carol", "acme").nodes(3).build());
    for (const [i, p] of pods.entries()) {
      expect(p.metadata.labels).toEqual({
        [LABEL_MANAGED_BY]: MANAGED_BY,
        [LABEL_JOB_NUMBER]: "9",
        [LABEL_USER]: "carol",
        [LABEL_TENANT]: "acme",
        [LABEL_POD_INDEX]: String(i),
      });
    }
  });

  it("puts jarvice-job-ipaddr on every pod and jarvice-pod0-job-ipaddr on pod 0 only, when the job has a tag", () => {
    const pods = podPlan(aJob().by("user1").tagged("user1-foobar").nodes(3).build());
    expect(pods.map((p) => p.metadata.labels[JOB_IPADDR_LABEL])).toEqual(["user1-foobar", "user1-foobar", "user1-foobar"]);
    expect(pods.map((p) => p.metadata.labels[POD0_IPADDR_LABEL])).toEqual(["user1-foobar", undefined, undefined]);
  });

  it.each([
    ["no tag", undefined],
    ["an empty tag value", ""],
  ])("puts neither ipaddr label on any pod with %s", (_what, ipaddr) => {
    const b = aJob().nodes(2);
    const job = ipaddr === undefined ? b.build() : b.tagged(ipaddr).build();
    for (const p of podPlan(job)) {
      expect(p.metadata.labels).not.toHaveProperty(JOB_IPADDR_LABEL);
      expect(p.metadata.labels).not.toHaveProperty(POD0_IPADDR_LABEL);
    }
  });

  it("keeps the tenant label the tenant's, whatever the user-controlled inputs say", () => {
    const job = aJob()
      .by("mallory", "acme")
      .nodes(2)
      .tagged("mallory-jarvice-tenant")
      .env({ [LABEL_TENANT]: "evil", JARVICE_TENANT: "evil", LABEL_TENANT: "evil" })
      .machine({ nodeSelector: { [LABEL_TENANT]: "evil" } })
      .build();
    for (const p of podPlan(job)) {
      expect(p.metadata.labels[LABEL_TENANT]).toBe("acme");
      expect(p.metadata.labels[LABEL_USER]).toBe("mallory");
      expect(Object.keys(p.metadata.labels).filter((k) => k === LABEL_TENANT)).toHaveLength(1);
    }
  });

  it("jobPodLabels writes the identity labels whatever the ipaddr value is", () => {
    const labels = jobPodLabels({ number: 1, username: "u", tenant: "t", ipaddr: "u-x" }, 0);
    expect(labels[LABEL_TENANT]).toBe("t");
    expect(labels[JOB_IPADDR_LABEL]).toBe("u-x");
    expect(labels[POD0_IPADDR_LABEL]).toBe("u-x");
    expect(jobPodLabels({ number: 1, username: "u", tenant: "t", ipaddr: "u-x" }, 1)).not.toHaveProperty(POD0_IPADDR_LABEL);
  });

  it("produces only valid Kubernetes label values (random valid users, tenants, tags, job numbers; seeded)", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,30}[A-Za-z0-9])?$/);
    fc.assert(
      fc.property(name, name, fc.option(fc.stringMatching(/^[A-Za-z0-9_.-]{0,20}[A-Za-z0-9]$/), { nil: undefined }), fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: 4 }), (user, tenant, tag, number, nodes) => {
        const b = aJob().number(number).by(user, tenant).nodes(nodes);
        const job = tag === undefined ? b.build() : b.tagged(`${user}-${tag}`).build();
        for (const p of podPlan(job)) {
          for (const [k, v] of Object.entries(p.metadata.labels)) expect(labelValueProblem(v), `${k}=${v}`).toBeUndefined();
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});

describe("podPlan: resources from the machine", () => {
  it("requests and limits cpu and memory (Gi), no GPU when the machine has none", () => {
    const [p] = podPlan(aJob().machine({ cores: 8, memoryGb: 32, gpus: 0 }).build());
    expect(container(p!).resources).toEqual({ requests: { cpu: "8", memory: "32Gi" }, limits: { cpu: "8", memory: "32Gi" } });
    expect(container(p!).resources.requests).not.toHaveProperty(GPU_RESOURCE);
  });

  it("adds nvidia.com/gpu to requests and limits when the machine has GPUs", () => {
    for (const p of podPlan(aJob().nodes(2).machine({ cores: 16, memoryGb: 64, gpus: 2 }).build())) {
      expect(container(p).resources).toEqual({
        requests: { cpu: "16", memory: "64Gi", "nvidia.com/gpu": "2" },
        limits: { cpu: "16", memory: "64Gi", "nvidia.com/gpu": "2" },
      });
    }
  });

  it("gives each pod its own resources object", () => {
    const [a, b] = podPlan(aJob().nodes(2).build());
    container(a!).resources.requests.cpu = "999";
    expect(container(b!).resources.requests.cpu).toBe("4");
    expect(container(a!).resources.limits.cpu).toBe("4");
  });

  it("sets nodeSelector only when the machine has one", () => {
    const [plain] = podPlan(aJob().build());
    expect(plain!.spec).not.toHaveProperty("nodeSelector");
    const selector = { "node.kubernetes.io/instance-type": "n1", zone: "a" };
    const job = aJob().machine({ nodeSelector: selector }).build();
    const [selected] = podPlan(job);
    expect(selected!.spec.nodeSelector).toEqual(selector);
    expect(selected!.spec.nodeSelector).not.toBe(job.machine.nodeSelector);
  });
});

describe("podPlan: environment and annotations", () => {
  it("sets JARVICE_JOB_NUMBER, JARVICE_NODES and JARVICE_POD_INDEX", () => {
    const pods = podPlan(aJob().number(12).nodes(3).build());
    expect(pods.map(envOf)).toEqual([0, 1, 2].map((i) => ({ JARVICE_JOB_NUMBER: "12", JARVICE_NODES: "3", JARVICE_POD_INDEX: String(i) })));
  });

  it("passes the job's environment, and never lets it override the JARVICE_* variables or repeat a name", () => {
    const pods = podPlan(aJob().number(5).nodes(2).env({ FOO: "bar", JARVICE_JOB_NUMBER: "1", JARVICE_NODES: "99", JARVICE_POD_INDEX: "7" }).build());
    for (const [i, p] of pods.entries()) {
      const names = container(p).env.map((e) => e.name);
      expect(new Set(names).size, names.join(", ")).toBe(names.length);
      expect(envOf(p)).toEqual({ FOO: "bar", JARVICE_JOB_NUMBER: "5", JARVICE_NODES: "2", JARVICE_POD_INDEX: String(i) });
    }
  });

  it("annotates the machine, and the simulated duration only when given", () => {
    const [p] = podPlan(aJob().machine({ name: "g2" }).build());
    expect(p!.metadata.annotations["paddock.io/machine"]).toBe("g2");
    expect(p!.metadata.annotations).not.toHaveProperty("paddock.io/simulated-duration");
    const [q] = podPlan(aJob().lasting(30).build());
    expect(q!.metadata.annotations["paddock.io/simulated-duration"]).toBe("30");
    const [z] = podPlan(aJob().lasting(0).build());
    expect(z!.metadata.annotations["paddock.io/simulated-duration"]).toBe("0");
  });
});

describe("podPlan: the job's wall time as activeDeadlineSeconds", () => {
  it.each([
    ["00:30", 1800],
    ["2:00", 7200],
    ["01:30:15", 5415],
    ["24:00:00", 86_400],
    ["9999:59:59", 9999 * 3600 + 59 * 60 + 59],
    ["00:00:01", 1],
  ])("walltime %s -> %i s on every pod", (walltime, seconds) => {
    const pods = podPlan(aJob().nodes(3).walltime(walltime).build());
    expect(pods.map((p) => p.spec.activeDeadlineSeconds)).toEqual([seconds, seconds, seconds]);
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["zero (Kubernetes takes only a positive deadline)", "00:00"],
    ["zero with seconds", "0:00:00"],
    ["not in the validated form", "1h"],
    ["minutes over 59", "01:75"],
  ])("no deadline when the walltime is %s", (_why, walltime) => {
    const b = aJob().nodes(2);
    for (const p of podPlan(walltime === undefined ? b.build() : b.walltime(walltime).build())) expect(p.spec).not.toHaveProperty("activeDeadlineSeconds");
  });

  it("walltimeSeconds reads every form the submission accepts as hours, minutes and seconds (seeded)", () => {
    const two = (n: number) => String(n).padStart(2, "0");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 59 }), fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }), (h, m, sec) => {
        const text = `${two(h)}:${two(m)}${sec === undefined ? "" : `:${two(sec)}`}`;
        const want = h * 3600 + m * 60 + (sec ?? 0);
        expect(walltimeSeconds(text)).toBe(want > 0 ? want : undefined);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});

describe("podPlan: the vault at /data, tolerations, one node for a ReadWriteOnce vault", () => {
  const rwo = (): JobVault => ({ name: "home", kind: "pvc", owner: "bob", storageClass: "fast", volumeName: null, accessModes: "ReadWriteOnce", sizeGb: 5, subpath: "users/%USER%", nfsServer: null, nfsPath: null });
  const mounted = (v: JobVault, readonly = false) => {
    const m = vaultMount(v, { username: "bob" }, { readonly, namespace: "jobs" });
    if (!m.ok) throw new Error(m.problem);
    return m;
  };

  it("mounts the vault's volume in every pod at /data, with the resolved sub-path", () => {
    const job = aJob().nodes(2).build();
    const pods = podPlan({ ...job, vault: mounted({ ...rwo(), accessModes: "ReadWriteMany" }) });
    for (const p of pods) {
      expect(p.spec.volumes).toEqual([{ name: "vault", persistentVolumeClaim: { claimName: vaultClaimName("bob", "home") } }]);
      expect(container(p).volumeMounts).toEqual([{ name: "vault", mountPath: "/data", subPath: "users/bob" }]);
      expect(p.spec.affinity).toBeUndefined(); // ReadWriteMany: any node
    }
  });

  it("no vault: no volume and no mount", () => {
    const [p] = podPlan(aJob().build());
    expect(p!.spec.volumes).toBeUndefined();
    expect(container(p!).volumeMounts).toBeUndefined();
  });

  it("a ReadWriteOnce vault on a multi-node job: required pod affinity to the job's own pods on one host", () => {
    const pods = podPlan({ ...aJob().number(9).nodes(3).build(), vault: mounted(rwo()) });
    for (const p of pods) {
      expect(p.spec.affinity).toEqual({
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { [LABEL_JOB_NUMBER]: "9" } }, topologyKey: "kubernetes.io/hostname" }] },
      });
    }
    // one pod: nothing to keep together
    expect(podPlan({ ...aJob().nodes(1).build(), vault: mounted(rwo()) })[0]!.spec.affinity).toBeUndefined();
  });

  it("puts the machine type's tolerations on every pod, and none when it has none", () => {
    const tolerations = [{ key: "nvidia.com/gpu", operator: "Exists" as const, effect: "NoSchedule" }];
    const pods = podPlan(aJob().nodes(2).machine({ tolerations }).build());
    for (const p of pods) expect(p.spec.tolerations).toEqual(tolerations);
    expect(podPlan(aJob().build())[0]!.spec.tolerations).toBeUndefined();
  });
});
