"""A forge with an OAuth app, an infra repo with admins and a viewer, and a controller serving the dashboard."""

from __future__ import annotations

import socket
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

from controller.app import ControllerApp
from controller.catalog.render import render_resource
from controller.catalog.specs import Target, VmSpec
from controller.dashboard import DashboardConfig
from sandbox.forge.background import BackgroundForge

from .harness import REVIEWER_LOGIN, REVIEWER_TOKEN, Workbench, controller_config, make_infra_repo

ADMIN_TOKEN = "dashboard-admin-token-0123456789"
VIEWER_LOGIN = "vera"
VIEWER_TOKEN = "lf_e2e_viewer_token_0123456789"
CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web:
        target: local
        region: local-1
        apply_on: approve
        budget_monthly_usd: 60
      db:
        target: local
        region: local-1
        apply_on: merge
    members:
      admin: {role: admin, github: cloudops-admin}
      rita: {role: admin, github: rita}
      vera: {role: viewer, github: vera}
    """
)


def vms(project: str, *names: str) -> dict[str, str]:
    files = {}
    for name in names:
        filename, text = render_resource(VmSpec(name=name, project=project, target=Target.LOCAL, region="local-1",
                                                requested_by="test", size="small"))
        files[f"projects/{project}/{filename}"] = text
    return files


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    forge: BackgroundForge
    bench: Workbench
    port: int
    client_id: str
    client_secret: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def controller(self, data_dir: Path, **dashboard) -> ControllerApp:
        config = controller_config(self.forge, data_dir, self.bench.full_name)
        dash = DashboardConfig(public_url=self.base, admin_token=ADMIN_TOKEN, oauth_client_id=self.client_id,
                               oauth_client_secret=self.client_secret, **dashboard)
        return ControllerApp(replace(config, port=self.port, dashboard=dash))


def make_stack(forge: BackgroundForge, tmp_path: Path) -> Stack:
    forge.add_user(VIEWER_LOGIN, VIEWER_TOKEN)
    bench = make_infra_repo(forge, tmp_path, files={"cloudops.yaml": CONFIG, **vms("web", "base")})
    port = free_port()
    client_id, secret = forge.add_oauth_app("Cloud ChatOps dashboard", f"http://127.0.0.1:{port}/login/oauth/callback")
    return Stack(forge, bench, port, client_id, secret)


__all__ = ["ADMIN_TOKEN", "REVIEWER_LOGIN", "REVIEWER_TOKEN", "Stack", "VIEWER_LOGIN", "VIEWER_TOKEN", "make_stack", "vms"]
