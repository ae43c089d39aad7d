"""Which pipelines exist and how each starts: its variants are synthesized in the calling thread (the
jsii runtime serves one thread), then the pipeline is submitted to the runner.

Tests name the pipelines they read with `@pytest.mark.pipeline("name")`; conftest starts exactly those.
"""

from __future__ import annotations

from pathlib import Path

from tests import (
    concurrency_pipeline,
    deploy_pipelines,
    guard_pipeline,
    identity_pipeline,
    keep_pipeline,
    operations_pipeline,
    pipelines,
    plan_pipelines,
    shard_pipeline,
    user_pipeline,
)
from tests.lifecycle import Run, Runner
from tests.scenarios import (
    DEV_EDITS,
    ONE_ASSOCIATION,
    PROD_BERLIN_ALLOWANCE,
    PROD_IDENTITY,
    PROD_INSIDE,
    PROD_REMOVED_ROUTE,
    PROD_REMOVED_SITE,
    TGW_ONLY,
    variant,
)

NO_ENDPOINT = 'client_vpn "'
# The long ones (8 minutes and more, mostly the provider's association sleeps) start first, and alone: the
# rest, and the other tests, wait until each long one is in its first sleep, so that the long ones' busy
# start (emulator, init, plan, the first creates) has the CPU. make-run's own emulator can't be watched.
LONG = ("dev", "staging", "prod", "destroy")
UNHELD = (*LONG, "make-run")
DEPLOY_RUNS = ("deploy-interrupted", "deploy-terminated", "deploy-approval", "deploy-failing", "deploy-kept")
STARTS = (*UNHELD, "users", "prod-guard", "prod-guard-removals", "prod-identity", "prod-identity-renamed", "shards", "changes", "route-domains", "plans", "bad-keys", "review-prod", *DEPLOY_RUNS, "operations",
          "parallel-apply")
# Tests run in the order their pipelines finish, so the main thread reads results as they come.
FINISHES = ("route-domains", "review-prod", "bad-keys", "plans", *DEPLOY_RUNS, "shards", "operations", "parallel-apply",
            "prod-guard", "prod-guard-removals", "prod-identity", "prod-identity-renamed", "users:deployed", "users", "changes",
            "make-run", "dev", "staging", "prod", "destroy")


class Catalog:
    def __init__(self, runner: Runner, shipped: dict):
        self.runner = runner
        self.shipped = shipped
        self.base = runner.base / "stacks"
        self.base.mkdir(parents=True, exist_ok=True)
        self.held = False

    def start(self, names: set[str]) -> None:
        wanted = {name.split(":")[0] for name in names}
        unknown = wanted - set(STARTS)
        assert not unknown, f"no such pipeline: {', '.join(sorted(unknown))}"
        for name in [n for n in STARTS if n in wanted]:
            if name not in UNHELD and not self.held:
                with Run(self.runner, "(the rest)").step("wait for the long pipelines' first sleep"):
                    self.runner.after([f"{long}:sleeping" for long in LONG])
                self.held = True
            getattr(self, "_" + name.replace("-", "_"))()

    # ---- helpers --------------------------------------------------------------------

    def synth(self, env, label: str, allow_replace: frozenset[str] = frozenset()) -> Path:
        from vpnctl.synthesized import synth_stacks

        outdir = self.base / label
        synth_stacks([env], outdir, allow_replace)
        return outdir

    def variant(self, name: str, label: str, edits=(), without: tuple[str, ...] = ()):
        return variant(name, list(edits), self.base / f"env-{label}", without=without)

    def _submit(self, name: str, pipeline, *args) -> None:
        self.runner.submit(name, pipeline, *args)

    # ---- the pipelines -------------------------------------------------------------

    def _dev(self) -> None:
        env = self.shipped["dev"]
        self._submit("dev", pipelines.shipped, env, self.synth(env, "dev"))

    def _staging(self) -> None:
        env = self.shipped["staging"]
        self._submit("staging", pipelines.shipped, env, self.synth(env, "staging"))

    def _prod(self) -> None:
        env = self.shipped["prod"]
        self._submit("prod", pipelines.shipped, env, self.synth(env, "prod"))

    def _make_run(self) -> None:
        self._submit("make-run", plan_pipelines.make_run)

    def _review_prod(self) -> None:
        self._submit("review-prod", plan_pipelines.review_prod)

    def _destroy(self) -> None:
        env = self.variant("staging", "destroy", ONE_ASSOCIATION["staging"])
        self._submit("destroy", pipelines.destroy, env, self.synth(env, "destroy"))

    def _users(self) -> None:
        env = self.variant("dev", "users")
        self._submit("users", user_pipeline.users, env, self.synth(env, "users"))

    def _prod_guard(self) -> None:
        env = self.variant("prod", "guard", without=(NO_ENDPOINT,))
        inside = self.variant("prod", "guard-inside", PROD_INSIDE, without=(NO_ENDPOINT,))
        variants = {
            "inside": (inside, self.synth(inside, "guard-inside")),
            "allowed": (inside, self.synth(inside, "guard-allowed", frozenset({PROD_BERLIN_ALLOWANCE}))),
        }
        self._submit("prod-guard", guard_pipeline.prod_guard, env, self.synth(env, "guard"), variants)

    def _prod_guard_removals(self) -> None:
        start = self.variant("prod", "guard-replaced", PROD_INSIDE, without=(NO_ENDPOINT,))
        removed = self.variant("prod", "guard-removed", PROD_INSIDE, without=(NO_ENDPOINT, PROD_REMOVED_SITE))
        route = self.variant("prod", "guard-route", PROD_INSIDE + PROD_REMOVED_ROUTE, without=(NO_ENDPOINT,))
        variants = {"route": (route, self.synth(route, "guard-route")), "removed": (removed, self.synth(removed, "guard-removed"))}
        self._submit("prod-guard-removals", guard_pipeline.prod_guard_removals, start, self.synth(start, "guard-replaced"),
                     variants)

    def _prod_identity(self) -> None:
        env = self.variant("prod", "identity", without=(NO_ENDPOINT,))
        self._submit("prod-identity", identity_pipeline.prod_identity, env, self.synth(env, "identity"),
                     self._identity_steps("prod-identity"), identity_pipeline.PIPELINES["prod-identity"])

    def _prod_identity_renamed(self) -> None:
        """Starts from prod as the first half's last step left it, synthesized to a folder of its own."""
        keys = identity_pipeline.PIPELINES["prod-identity-renamed"]
        order = [key for key, _ in identity_pipeline.STEPS]
        start = variant("prod", self._identity_edits(order[:order.index(keys[0])]), self.base / "env-identity-renamed",
                        without=(NO_ENDPOINT,), every=True)
        self._submit("prod-identity-renamed", identity_pipeline.prod_identity, start, self.synth(start, "identity-renamed"),
                     self._identity_steps("prod-identity-renamed"), keys)

    def _identity_edits(self, keys: list[str]) -> list:
        return [edit for key in keys for edit in PROD_IDENTITY.get(key, ([], ""))[0]]

    def _identity_steps(self, pipeline: str) -> dict:
        """Each step of `pipeline`: its variant (the edits of every step up to it), synthesized; its allowance."""
        steps, order = {}, [key for key, _ in identity_pipeline.STEPS]
        for key, name in identity_pipeline.STEPS:
            if key not in identity_pipeline.PIPELINES[pipeline]:
                continue
            allowance = PROD_IDENTITY.get(key, ([], f"file={name}.hcl"))[1]
            changed = variant("prod", self._identity_edits(order[:order.index(key) + 1]), self.base / f"env-identity-{key}",
                              without=(NO_ENDPOINT,), every=True, saved_as=name)
            steps[key] = (changed, self.synth(changed, f"identity-{key}"), allowance)
        return steps

    def _route_domains(self) -> None:
        from stacks.config import load_environment
        folder = self.base / "env-route-domains"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "core.hcl").write_text(TGW_ONLY)
        env = load_environment(folder / "core.hcl")
        self._submit("route-domains", plan_pipelines.route_domains, env, self.synth(env, "route-domains"))

    def _changes(self) -> None:
        env = self.variant("dev", "changes", without=(NO_ENDPOINT,))
        moved = self.variant("dev", "changes-cgw", DEV_EDITS["cgw"], without=(NO_ENDPOINT,))
        tgw = self.variant("dev", "changes-tgw", DEV_EDITS["cgw"] + DEV_EDITS["tgw"], without=(NO_ENDPOINT,))
        self._submit("changes", pipelines.changes, env, self.synth(env, "changes"), moved, self.synth(moved, "changes-cgw"),
                     tgw, self.synth(tgw, "changes-tgw"))

    def _plans(self) -> None:
        from vpnctl.preshared_keys import generate_preshared_key
        from vpnctl.synthesized import synth_stacks

        outdir = self.base / "fresh"
        synth_stacks(list(self.shipped.values()), outdir)
        secrets = {tunnel.preshared_key_secret: generate_preshared_key()
                   for env in self.shipped.values() for site in env.config.sites.values() for tunnel in site.tunnel
                   if tunnel.preshared_key_secret}
        self._submit("plans", plan_pipelines.fresh_plans, self.shipped, outdir, secrets)

    def _bad_keys(self) -> None:
        sites = [("# Developers:", plan_pipelines.bad_key_sites() + "\n# Developers:")]
        env = self.variant("dev", "bad-keys", sites, without=(NO_ENDPOINT,))
        self._submit("bad-keys", plan_pipelines.bad_keys, env, self.synth(env, "bad-keys"))

    # `vpnctl deploy` as an operator meets it (tests/deploy_pipelines.py): each synthesizes in its own process.
    def _deploy_interrupted(self) -> None:
        self._submit("deploy-interrupted", deploy_pipelines.interrupted)

    def _deploy_terminated(self) -> None:
        self._submit("deploy-terminated", deploy_pipelines.terminated)

    def _deploy_approval(self) -> None:
        self._submit("deploy-approval", deploy_pipelines.approval)

    def _deploy_failing(self) -> None:
        self._submit("deploy-failing", deploy_pipelines.failing)

    def _deploy_kept(self) -> None:
        self._submit("deploy-kept", keep_pipeline.kept)

    def _operations(self) -> None:
        operations_pipeline.start(self)

    def _shards(self) -> None:
        shard_pipeline.start(self)

    def _parallel_apply(self) -> None:
        concurrency_pipeline.start(self)
