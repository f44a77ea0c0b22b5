/**
 * Table types for Kysely. Times are epoch milliseconds (BIGINT) so both
 * dialects compare and sort them the same way; booleans are 0/1 integers
 * for the same reason; structured values are JSON text.
 */
export interface Database {
  tend_migrations: { id: string; applied_at: number };
  iam_users: {
    user_name: string;
    user_id: string;
    path: string;
    arn: string;
    created_at: number;
  };
  iam_access_keys: {
    access_key_id: string;
    /** NULL for the bootstrap root key. */
    user_name: string | null;
    /** Sealed with the master key: SigV4 needs the secret itself to recompute signatures. */
    secret_sealed: string;
    status: 'Active' | 'Inactive';
    created_at: number;
  };
  iam_user_policies: { user_name: string; policy_name: string; document: string };
  audit_events: {
    id: number | undefined;
    event_time: number;
    request_id: string;
    principal_arn: string;
    access_key_id: string;
    operation: string;
    resources: string;
    source_ip: string;
    outcome: string;
    error_message: string | null;
  };
  /** One row per parameter: its current version's metadata. */
  parameters: {
    name_key: string;
    name: string;
    /** Hierarchy the parameter sits directly in: "/app/dev" for "/app/dev/db", "/" for top-level names. */
    parent_path: string;
    type: string;
    key_id: string | null;
    description: string | null;
    allowed_pattern: string | null;
    tier: string;
    data_type: string;
    policies: string | null;
    version: number;
    last_modified_date: number;
    last_modified_user: string;
  };
  parameter_versions: {
    name_key: string;
    version: number;
    type: string;
    /** Clear text for String/StringList, sealed with the master key for SecureString. */
    value: string;
    key_id: string | null;
    description: string | null;
    allowed_pattern: string | null;
    tier: string;
    data_type: string;
    policies: string | null;
    last_modified_date: number;
    last_modified_user: string;
  };
  /** A label points at exactly one version of a parameter; moving it rewrites the row. */
  parameter_labels: { name_key: string; label: string; version: number };
  resource_tags: { resource_type: string; resource_id: string; tag_key: string; tag_value: string };
  /** Domain events written in the same transaction as the change (DESIGN.md, "Events"). */
  outbox_events: {
    id: number | undefined;
    event_type: string;
    occurred_at: number;
    payload: string;
  };
  activations: {
    activation_id: string;
    code_hash: string;
    description: string | null;
    default_instance_name: string | null;
    iam_role: string;
    registration_limit: number;
    registrations_count: number;
    expiration_date: number;
    created_date: number;
  };
  managed_nodes: {
    instance_id: string;
    activation_id: string;
    name: string | null;
    iam_role: string | null;
    public_key: string;
    computer_name: string | null;
    ip_address: string | null;
    platform_type: string | null;
    platform_name: string | null;
    platform_version: string | null;
    agent_version: string | null;
    ping_status: 'Online' | 'ConnectionLost' | 'Inactive';
    last_ping_at: number;
    registered_at: number;
    deregistered_at: number | null;
  };
  resource_groups: {
    name: string;
    arn: string;
    description: string | null;
    query_type: string;
    query: string;
    created_at: number;
  };
  /** An account's own SSM document; its content lives in document_versions. */
  documents: {
    name: string;
    document_type: string;
    default_version: number;
    latest_version: number;
    /** Highest version number ever given, so a deleted latest version's number is not reused. */
    last_version_number: number;
    created_at: number;
  };
  document_versions: {
    name: string;
    version: number;
    version_name: string | null;
    display_name: string | null;
    /** JSON | YAML: the format the content was written in, kept as given. */
    document_format: string;
    content: string;
    /** SHA-256 of the content, hex (DocumentDescription.Hash). */
    hash: string;
    schema_version: string;
    description: string | null;
    /** JSON: DocumentDescription.Parameters, derived from the content when it was written. */
    parameters: string;
    /** JSON array of Windows | Linux | MacOS. */
    platform_types: string;
    target_type: string | null;
    created_at: number;
  };
}

// Notifications and outbox consumers (migration 0005). A second declaration
// of the same interface merges with the one above; keeping it apart lets
// domains append their tables without editing each other's lines.
export interface Database {
  /** One row per named outbox consumer: its cursor and the lease that lets one replica advance it. */
  event_consumers: {
    name: string;
    /** Id of the last outbox event handled. */
    position: number;
    lease_owner: string | null;
    lease_expires_at: number | null;
    updated_at: number;
  };
  notification_topics: {
    name: string;
    arn: string;
    /** JSON map of the attributes set on the topic. */
    attributes: string;
    created_at: number;
  };
  notification_subscriptions: {
    arn: string;
    topic_arn: string;
    protocol: string;
    /** Sealed with the master key: webhook URLs carry credentials. */
    endpoint_sealed: string;
    /** The endpoint with credentials masked, for listings. */
    endpoint_display: string;
    /** HMAC key of http/https subscriptions, sealed. */
    signing_secret_sealed: string | null;
    /** JSON map of subscription attributes (DeliveryPolicy, RawMessageDelivery). */
    attributes: string;
    created_at: number;
  };
  notification_messages: {
    message_id: string;
    topic_arn: string;
    subject: string | null;
    message: string;
    /** `json` when Message holds one text per protocol. */
    message_structure: string | null;
    /** JSON map of SNS MessageAttributes. */
    message_attributes: string | null;
    published_at: number;
  };
  /** One row per message and subscription: attempts, backoff and a lease for the replica sending it. */
  notification_deliveries: {
    id: number | undefined;
    message_id: string;
    subscription_arn: string;
    topic_arn: string;
    protocol: string;
    endpoint_display: string;
    status: 'Pending' | 'Retrying' | 'Delivered' | 'Failed';
    attempts: number;
    /** Due time of the next attempt; NULL once Delivered or Failed. */
    next_attempt_at: number | null;
    lease_owner: string | null;
    lease_expires_at: number | null;
    last_error: string | null;
    last_attempt_at: number | null;
    delivered_at: number | null;
    created_at: number;
  };
}

// Run Command (migration 0006).
export interface Database {
  commands: {
    command_id: string;
    document_name: string;
    document_version: string;
    comment: string;
    /** JSON: SendCommand's Parameters as the caller gave them ({{ssm:…}} references unresolved, so no secret). */
    parameters: string;
    /** JSON arrays: the InstanceIds and Targets of the request. */
    instance_ids: string;
    targets: string;
    requested_at: number;
    /** requested_at + TimeoutSeconds + executionTimeout. */
    expires_after: number;
    timeout_seconds: number;
    execution_timeout_seconds: number;
    max_concurrency: string;
    max_errors: string;
    /** JSON NotificationConfig, or NULL. */
    notification_config: string | null;
    service_role_arn: string | null;
    output_s3_bucket_name: string | null;
    output_s3_key_prefix: string | null;
    requested_by: string;
    /** JSON array of the steps' names (CommandPlugins of an invocation that has not reported yet). */
    step_names: string;
    /** Sealed JSON of the rendered steps and the secret values to mask: SecureStrings may be in them. */
    steps_sealed: string;
    targeted_by_tag: number;
    cancel_requested: number;
    status: string;
    status_details: string;
    target_count: number;
    completed_count: number;
    error_count: number;
    delivery_timed_out_count: number;
    updated_at: number;
  };
  command_invocations: {
    command_id: string;
    instance_id: string;
    /** Order in which rate control starts invocations. */
    position: number;
    instance_name: string;
    status: string;
    status_details: string;
    /** When rate control let it go (epoch ms); NULL while queued. */
    started_at: number | null;
    delivery_deadline: number | null;
    /** Sent to the agent with every (re)delivery, so a re-sent start keeps the first deadline. */
    execution_deadline: number | null;
    last_sent_at: number | null;
    accepted_at: number | null;
    cancel_requested: number;
    cancel_sent_at: number | null;
    execution_start: number | null;
    execution_end: number | null;
    response_code: number;
    /** JSON array of the per-step results (CommandPlugin shapes, outputs masked). */
    plugins: string | null;
    /** Why, when the steps do not say it. */
    message: string | null;
    updated_at: number;
  };
}

// Patch compliance (migration 0008).
export interface Database {
  /** What the last aws:runPatchBaseline operation found on a node (InstancePatchState). */
  instance_patch_states: {
    instance_id: string;
    /** '' when the node is in no patch group. */
    patch_group: string;
    baseline_id: string;
    /** 1 when the operation ran with a BaselineOverride. */
    baseline_override: number;
    snapshot_id: string | null;
    operation: 'Scan' | 'Install';
    operation_start_time: number;
    operation_end_time: number;
    reboot_option: 'RebootIfNeeded' | 'NoReboot';
    /** When an Install with NoReboot last ran (kept across later scans). */
    last_no_reboot_install_operation_time: number | null;
    operating_system: string;
    product: string;
    command_id: string;
    compliant: number;
    /** Some patch is INSTALLED_PENDING_REBOOT: `reboot.pending` is written when this changes. */
    reboot_pending: number;
    updated_at: number;
    installed_count: number;
    installed_other_count: number;
    installed_pending_reboot_count: number;
    installed_rejected_count: number;
    missing_count: number;
    failed_count: number;
    not_applicable_count: number;
    critical_non_compliant_count: number;
    security_non_compliant_count: number;
    other_non_compliant_count: number;
  };
  /** One row per patch of a node's last operation (DescribeInstancePatches), replaced by each report. */
  instance_patches: {
    instance_id: string;
    /** Order in the report: keeps rows with the same KBId (install-only packages such as kernels) apart. */
    position: number;
    /** `name.arch`. */
    kb_id: string;
    /** `name.arch:version`, the version of the missing update or the installed one. */
    title: string;
    name: string;
    arch: string;
    version: string;
    installed_version: string;
    classification: string;
    severity: string;
    state: string;
    installed_time: number | null;
    /** Comma-separated, as PatchComplianceData.CVEIds. */
    cve_ids: string | null;
    compliance_level: string;
    security: number;
    approval: string;
  };
  /** Every patching operation a node reported, with what it changed (Tend.ListPatchOperations). */
  patch_operations: {
    id: number | undefined;
    instance_id: string;
    command_id: string;
    step: string;
    operation: 'Scan' | 'Install';
    baseline_id: string;
    patch_group: string;
    reboot_option: string;
    start_time: number;
    end_time: number;
    /** JSON [{ name, arch, version, previousVersion? }]. */
    installed: string;
    /** JSON [{ name, arch, version }]. */
    failed: string;
    rebooted: number;
    recorded_at: number;
  };
  /** Every package version reported across the fleet: DescribeAvailablePatches and DescribeEffectivePatchesForPatchBaseline. */
  patch_catalog: {
    product: string;
    name: string;
    arch: string;
    version: string;
    operating_system: string;
    classification: string | null;
    severity: string | null;
    priority: string | null;
    section: string | null;
    repository: string | null;
    security: number | null;
    release_date: number | null;
    title: string | null;
    /** JSON arrays. */
    cve_ids: string | null;
    advisory_ids: string | null;
    bugzilla_ids: string | null;
    last_reported_at: number;
  };
  /** Per resource and compliance type: the status, counts and execution of its items (ListResourceComplianceSummaries). */
  compliance_summaries: {
    resource_type: string;
    resource_id: string;
    compliance_type: string;
    status: 'COMPLIANT' | 'NON_COMPLIANT';
    overall_severity: string;
    compliant_count: number;
    non_compliant_count: number;
    /** JSON SeveritySummary of the compliant and of the non-compliant items. */
    compliant_severities: string;
    non_compliant_severities: string;
    execution_time: number;
    execution_id: string | null;
    execution_type: string | null;
    item_content_hash: string | null;
    updated_at: number;
  };
  /** ListComplianceItems. */
  compliance_items: {
    resource_type: string;
    resource_id: string;
    compliance_type: string;
    /** The item's Id, or `#<index>` for items sent without one; unique within the resource and type. */
    item_key: string;
    item_id: string | null;
    title: string | null;
    severity: string;
    status: 'COMPLIANT' | 'NON_COMPLIANT';
    /** JSON map. */
    details: string | null;
  };
}

// Patch baselines and patch groups (migration 0007).
export interface Database {
  /** An account's own patch baseline; the predefined AWS-* ones are served from code. */
  patch_baselines: {
    /** `pb-` and 17 hex digits. */
    baseline_id: string;
    name: string;
    description: string | null;
    operating_system: string;
    /** JSON: the baseline's PatchBaselineRules (OperatingSystem included), as validated. */
    rules: string;
    /** CreatePatchBaseline's ClientToken, and a hash of the request it came with (IdempotentParameterMismatch). */
    client_token: string | null;
    request_hash: string | null;
    created_at: number;
    modified_at: number;
  };
  /** RegisterPatchBaselineForPatchGroup: one baseline per patch group and operating system. */
  patch_group_baselines: {
    patch_group: string;
    operating_system: string;
    /** A `pb-` id of the account's own baseline, or a predefined baseline's id. */
    baseline_id: string;
    registered_at: number;
  };
  /** RegisterDefaultPatchBaseline; an operating system without a row has its predefined baseline as default. */
  patch_default_baselines: {
    operating_system: string;
    baseline_id: string;
    registered_at: number;
  };
}

// Durable timers and service settings (migration 0009).
export interface Database {
  /** Work due at a time (DESIGN.md, "Scheduling"): claimed by one replica at a time under a lease. */
  durable_timers: {
    timer_key: string;
    /** Which handler acts on it, e.g. `parameter.policy`. */
    kind: string;
    due_at: number;
    /** JSON the handler reads. */
    payload: string;
    /** Failed runs so far; reset when the timer is scheduled again. */
    attempts: number;
    last_error: string | null;
    lease_owner: string | null;
    lease_token: string | null;
    lease_expires_at: number | null;
    created_at: number;
    updated_at: number;
  };
  /** A Systems Manager service setting that was updated or reset; the others have their default value. */
  service_settings: {
    setting_id: string;
    setting_value: string;
    status: 'Default' | 'Customized';
    last_modified_date: number;
    last_modified_user: string;
  };
}

// Command output shared by replicas (migration 0010).
export interface Database {
  /**
   * With replicas sharing PostgreSQL: the output of a finished step as the
   * replica holding the node's connection stored it, so every replica can
   * serve it (Tend.GetCommandOutput). Capped at COPIED_OUTPUT_BYTES per stream.
   */
  command_output_copies: {
    command_id: string;
    instance_id: string;
    step: string;
    stream: 'stdout' | 'stderr';
    content: string;
    /** Bytes of the whole output where the replica holding it stored it (more than `content` if it was cut). */
    total_bytes: number;
  };
}

// Maintenance windows (migration 0011).
export interface Database {
  maintenance_windows: {
    /** `mw-` and 17 hex digits. */
    window_id: string;
    name: string;
    description: string | null;
    /** ISO 8601 as the caller gave them. */
    start_date: string | null;
    end_date: string | null;
    /** cron(...), rate(...) or at(...). */
    schedule: string;
    schedule_timezone: string | null;
    schedule_offset: number | null;
    /** Hours. */
    duration: number;
    cutoff: number;
    allow_unassociated_targets: number;
    enabled: number;
    client_token: string | null;
    request_hash: string | null;
    created_at: number;
    modified_at: number;
  };
  maintenance_window_targets: {
    window_target_id: string;
    window_id: string;
    resource_type: 'INSTANCE' | 'RESOURCE_GROUP';
    /** JSON Target[]. */
    targets: string;
    owner_information: string | null;
    name: string | null;
    description: string | null;
    client_token: string | null;
    created_at: number;
  };
  maintenance_window_tasks: {
    window_task_id: string;
    window_id: string;
    /** RUN_COMMAND: the document name. */
    task_arn: string;
    task_type: string;
    /** JSON Target[] (Key WindowTargetIds or InstanceIds). */
    targets: string;
    service_role_arn: string | null;
    /** JSON of the deprecated TaskParameters, kept as given. */
    task_parameters: string | null;
    /** JSON MaintenanceWindowTaskInvocationParameters. */
    invocation_parameters: string | null;
    logging_info: string | null;
    priority: number;
    max_concurrency: string | null;
    max_errors: string | null;
    name: string | null;
    description: string | null;
    cutoff_behavior: 'CONTINUE_TASK' | 'CANCEL_TASK';
    client_token: string | null;
    created_at: number;
  };
  maintenance_window_executions: {
    window_execution_id: string;
    window_id: string;
    status: string;
    status_details: string | null;
    scheduled_at: number;
    start_time: number;
    end_time: number | null;
    cutoff_at: number;
    ends_at: number;
  };
  maintenance_window_task_executions: {
    task_execution_id: string;
    window_execution_id: string;
    window_id: string;
    window_task_id: string;
    /** JSON snapshot of the task row when the run began. */
    task: string;
    priority: number;
    status: string;
    status_details: string | null;
    start_time: number | null;
    end_time: number | null;
    /** The Run Command command the task became, once started. */
    command_id: string | null;
  };
  maintenance_window_task_invocations: {
    invocation_id: string;
    window_execution_id: string;
    task_execution_id: string;
    /** The command id (Run Command tasks). */
    execution_id: string;
    instance_id: string;
    window_target_id: string | null;
    owner_information: string | null;
    /** JSON of the parameters the task ran with. */
    parameters: string;
    status: string;
    status_details: string | null;
    start_time: number | null;
    end_time: number | null;
    position: number;
  };
}

// OpsCenter OpsItems (migration 0012).
export interface Database {
  ops_items: {
    /** `oi-` and 12 hex digits. */
    ops_item_id: string;
    title: string;
    description: string;
    source: string;
    /** `/aws/issue` unless the caller named another type. */
    ops_item_type: string;
    status: string;
    priority: number | null;
    severity: string | null;
    category: string | null;
    /** JSON Record<key, { Value, Type? }>. */
    operational_data: string;
    /** JSON [{ Arn }]: SNS topics told of the item's creation and status changes. */
    notifications: string;
    /** JSON [{ OpsItemId }]. */
    related_ops_items: string;
    /** Epoch milliseconds. */
    planned_start_time: number | null;
    planned_end_time: number | null;
    actual_start_time: number | null;
    actual_end_time: number | null;
    /** The `/aws/dedup` string while the item is open (unique), null otherwise. */
    dedup_key: string | null;
    version: number;
    created_by: string;
    last_modified_by: string;
    created_at: number;
    modified_at: number;
  };
}
