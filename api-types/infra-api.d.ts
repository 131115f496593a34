/**
 * Generated from the OpenAPI document of the infrastructure API (GET /openapi.json on port 8089)
 * by `npm run generate:api-types` (scripts/generate-api-types.ts). Do not edit: change the route schemas
 * in src/api and run the command again (test/api/generated-api-types.test.ts fails until then).
 */

export interface paths {
  "/health": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process answers */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {string} */
              status: "UP";
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/ready": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: the database answers, every migration is applied, and the process is not stopping */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              status: string;
              database: string;
              migrations: string;
            };
          };
        };
        /** @description Default Response */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              status: string;
              database: string;
              migrations: string;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/metrics": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/infrastructure/tenants/{tenantId}/provision": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Declare the tenant's infrastructure and converge to it (platform admin). A deprovisioned or failed tenant is provisioned; an active one is updated where the declaration differs; nothing differs: 200 and no job. Another region or cloud is a migration: 409 */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          /**
           * @example {
           *       "tier": "professional",
           *       "region": "eastus",
           *       "cloudProvider": "AZURE",
           *       "configuration": {
           *         "databaseSize": "Standard_D2s_v3",
           *         "storageGb": 100,
           *         "enableHa": false
           *       }
           *     }
           */
          "application/json": {
            /**
             * @description One of free, professional, enterprise, any case
             * @example professional
             */
            tier: string;
            /**
             * @description A region of the cloud provider
             * @example eastus
             */
            region: string;
            /**
             * @description One of AZURE, AWS, GCP, enabled on this installation
             * @example AZURE
             */
            cloudProvider: string;
            /** @description Any of databaseSize, storageGb, enableHa, quota; what is left out keeps its declared value */
            configuration?: {
              /**
               * @description string: the database SKU (Enterprise: the dedicated database), e.g. Standard_D2s_v3
               * @example Standard_D2s_v3
               */
              databaseSize?: unknown;
              /**
               * @description integer: the namespace's storage request quota in GB; Free up to 50, Professional 2048, Enterprise 65536
               * @example 100
               */
              storageGb?: unknown;
              /**
               * @description boolean: two replicas of each core service (not on Free)
               * @example false
               */
              enableHa?: unknown;
              /**
               * @description ENTERPRISE only: the namespace's ResourceQuota (spec/002's custom quota), an object of cpuRequests, cpuLimits, memoryRequests, memoryLimits (Kubernetes quantities, requests at most the limits), pods, services, persistentVolumeClaims (whole numbers); fields left out keep their declared value (all are required when none is declared); null removes the quota. It must hold the tenant's own services, monitoring and ingress controller (and storageGb their volume claims). Free and Professional have their tier's quota
               * @example {
               *       "cpuRequests": "16",
               *       "cpuLimits": "32",
               *       "memoryRequests": "32Gi",
               *       "memoryLimits": "64Gi",
               *       "pods": 100,
               *       "services": 50,
               *       "persistentVolumeClaims": 20
               *     }
               */
              quota?: unknown;
            };
          };
        };
      };
      responses: {
        /** @description The infrastructure record after the request */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: uuid
               * @description Infrastructure record id
               */
              id: string;
              /** Format: uuid */
              tenantId: string;
              /** @description spec/000's status: PROVISIONING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED; PROVISIONING covers the phases REQUESTED to VERIFYING */
              status: string;
              /** @description Where the record stands in detail: REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
              phase: string;
              cloudProvider: string;
              region: string;
              /** @description Kubernetes namespace, matih-{slug} */
              namespace: string;
              /** @description The actual configuration: what the last successful job reached ({} before the first) */
              configuration: {
                databaseSize?: string;
                storageGb?: number;
                enableHa?: boolean;
                /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                quota?: {
                  /** @description Kubernetes quantity: requests.cpu */
                  cpuRequests: string;
                  /** @description Kubernetes quantity: limits.cpu */
                  cpuLimits: string;
                  /** @description Kubernetes quantity: requests.memory */
                  memoryRequests: string;
                  /** @description Kubernetes quantity: limits.memory */
                  memoryLimits: string;
                  pods: number;
                  services: number;
                  persistentVolumeClaims: number;
                };
              };
              /** @description tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster */
              terraformStateKey: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Null once the tenant is deleted */
              desiredState: {
                tier: string;
                region: string;
                cloudProvider: string;
                /** @description databaseSize, storageGb, enableHa, and an Enterprise tenant's quota */
                configuration: {
                  databaseSize?: string;
                  storageGb?: number;
                  enableHa?: boolean;
                  /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                  quota?: {
                    /** @description Kubernetes quantity: requests.cpu */
                    cpuRequests: string;
                    /** @description Kubernetes quantity: limits.cpu */
                    cpuLimits: string;
                    /** @description Kubernetes quantity: requests.memory */
                    memoryRequests: string;
                    /** @description Kubernetes quantity: limits.memory */
                    memoryLimits: string;
                    pods: number;
                    services: number;
                    persistentVolumeClaims: number;
                  };
                };
                suspended: boolean;
                /** @description Goes up with every change of the declaration */
                generation: number;
                /** @description The generation the last successful job reached; equal to generation when converged */
                observedGeneration: number;
                lastReconciledAt: string | null;
                updatedBy: string;
                /** Format: date-time */
                updatedAt: string;
              } | null;
              /** @description The job working on the tenant now, if any */
              currentJob: {
                /** Format: uuid */
                id: string;
                /** @description PROVISION, UPDATE, RECONCILE, SUSPEND, REACTIVATE, DELETE, DEPROVISION */
                kind: string;
                status: string;
              } | null;
              /** @description The job queued to carry the request out; null when nothing needed doing */
              jobId: string | null;
            };
          };
        };
        /** @description The infrastructure record after the request */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: uuid
               * @description Infrastructure record id
               */
              id: string;
              /** Format: uuid */
              tenantId: string;
              /** @description spec/000's status: PROVISIONING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED; PROVISIONING covers the phases REQUESTED to VERIFYING */
              status: string;
              /** @description Where the record stands in detail: REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
              phase: string;
              cloudProvider: string;
              region: string;
              /** @description Kubernetes namespace, matih-{slug} */
              namespace: string;
              /** @description The actual configuration: what the last successful job reached ({} before the first) */
              configuration: {
                databaseSize?: string;
                storageGb?: number;
                enableHa?: boolean;
                /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                quota?: {
                  /** @description Kubernetes quantity: requests.cpu */
                  cpuRequests: string;
                  /** @description Kubernetes quantity: limits.cpu */
                  cpuLimits: string;
                  /** @description Kubernetes quantity: requests.memory */
                  memoryRequests: string;
                  /** @description Kubernetes quantity: limits.memory */
                  memoryLimits: string;
                  pods: number;
                  services: number;
                  persistentVolumeClaims: number;
                };
              };
              /** @description tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster */
              terraformStateKey: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Null once the tenant is deleted */
              desiredState: {
                tier: string;
                region: string;
                cloudProvider: string;
                /** @description databaseSize, storageGb, enableHa, and an Enterprise tenant's quota */
                configuration: {
                  databaseSize?: string;
                  storageGb?: number;
                  enableHa?: boolean;
                  /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                  quota?: {
                    /** @description Kubernetes quantity: requests.cpu */
                    cpuRequests: string;
                    /** @description Kubernetes quantity: limits.cpu */
                    cpuLimits: string;
                    /** @description Kubernetes quantity: requests.memory */
                    memoryRequests: string;
                    /** @description Kubernetes quantity: limits.memory */
                    memoryLimits: string;
                    pods: number;
                    services: number;
                    persistentVolumeClaims: number;
                  };
                };
                suspended: boolean;
                /** @description Goes up with every change of the declaration */
                generation: number;
                /** @description The generation the last successful job reached; equal to generation when converged */
                observedGeneration: number;
                lastReconciledAt: string | null;
                updatedBy: string;
                /** Format: date-time */
                updatedAt: string;
              } | null;
              /** @description The job working on the tenant now, if any */
              currentJob: {
                /** Format: uuid */
                id: string;
                /** @description PROVISION, UPDATE, RECONCILE, SUSPEND, REACTIVATE, DELETE, DEPROVISION */
                kind: string;
                status: string;
              } | null;
              /** @description The job queued to carry the request out; null when nothing needed doing */
              jobId: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/infrastructure/tenants/{tenantId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The tenant's infrastructure record (TenantInfrastructure) with its desired state and the job working on it */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description TenantInfrastructure (spec/000) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: uuid
               * @description Infrastructure record id
               */
              id: string;
              /** Format: uuid */
              tenantId: string;
              /** @description spec/000's status: PROVISIONING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED; PROVISIONING covers the phases REQUESTED to VERIFYING */
              status: string;
              /** @description Where the record stands in detail: REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
              phase: string;
              cloudProvider: string;
              region: string;
              /** @description Kubernetes namespace, matih-{slug} */
              namespace: string;
              /** @description The actual configuration: what the last successful job reached ({} before the first) */
              configuration: {
                databaseSize?: string;
                storageGb?: number;
                enableHa?: boolean;
                /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                quota?: {
                  /** @description Kubernetes quantity: requests.cpu */
                  cpuRequests: string;
                  /** @description Kubernetes quantity: limits.cpu */
                  cpuLimits: string;
                  /** @description Kubernetes quantity: requests.memory */
                  memoryRequests: string;
                  /** @description Kubernetes quantity: limits.memory */
                  memoryLimits: string;
                  pods: number;
                  services: number;
                  persistentVolumeClaims: number;
                };
              };
              /** @description tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster */
              terraformStateKey: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Null once the tenant is deleted */
              desiredState: {
                tier: string;
                region: string;
                cloudProvider: string;
                /** @description databaseSize, storageGb, enableHa, and an Enterprise tenant's quota */
                configuration: {
                  databaseSize?: string;
                  storageGb?: number;
                  enableHa?: boolean;
                  /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                  quota?: {
                    /** @description Kubernetes quantity: requests.cpu */
                    cpuRequests: string;
                    /** @description Kubernetes quantity: limits.cpu */
                    cpuLimits: string;
                    /** @description Kubernetes quantity: requests.memory */
                    memoryRequests: string;
                    /** @description Kubernetes quantity: limits.memory */
                    memoryLimits: string;
                    pods: number;
                    services: number;
                    persistentVolumeClaims: number;
                  };
                };
                suspended: boolean;
                /** @description Goes up with every change of the declaration */
                generation: number;
                /** @description The generation the last successful job reached; equal to generation when converged */
                observedGeneration: number;
                lastReconciledAt: string | null;
                updatedBy: string;
                /** Format: date-time */
                updatedAt: string;
              } | null;
              /** @description The job working on the tenant now, if any */
              currentJob: {
                /** Format: uuid */
                id: string;
                /** @description PROVISION, UPDATE, RECONCILE, SUSPEND, REACTIVATE, DELETE, DEPROVISION */
                kind: string;
                status: string;
              } | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    /** Change an ACTIVE tenant's configuration or tier (platform admin): what is left out keeps its declared value. 202 with the UPDATE job, 200 when nothing changes */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description Another tier of the same cluster type (FREE, PROFESSIONAL, ENTERPRISE, any case); to or from ENTERPRISE is refused */
            tier?: string;
            /** @description Any of databaseSize, storageGb, enableHa, quota; what is left out keeps its declared value */
            configuration?: {
              /**
               * @description string: the database SKU (Enterprise: the dedicated database), e.g. Standard_D2s_v3
               * @example Standard_D2s_v3
               */
              databaseSize?: unknown;
              /**
               * @description integer: the namespace's storage request quota in GB; Free up to 50, Professional 2048, Enterprise 65536
               * @example 100
               */
              storageGb?: unknown;
              /**
               * @description boolean: two replicas of each core service (not on Free)
               * @example false
               */
              enableHa?: unknown;
              /**
               * @description ENTERPRISE only: the namespace's ResourceQuota (spec/002's custom quota), an object of cpuRequests, cpuLimits, memoryRequests, memoryLimits (Kubernetes quantities, requests at most the limits), pods, services, persistentVolumeClaims (whole numbers); fields left out keep their declared value (all are required when none is declared); null removes the quota. It must hold the tenant's own services, monitoring and ingress controller (and storageGb their volume claims). Free and Professional have their tier's quota
               * @example {
               *       "cpuRequests": "16",
               *       "cpuLimits": "32",
               *       "memoryRequests": "32Gi",
               *       "memoryLimits": "64Gi",
               *       "pods": 100,
               *       "services": 50,
               *       "persistentVolumeClaims": 20
               *     }
               */
              quota?: unknown;
            };
          };
        };
      };
      responses: {
        /** @description The infrastructure record after the request */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: uuid
               * @description Infrastructure record id
               */
              id: string;
              /** Format: uuid */
              tenantId: string;
              /** @description spec/000's status: PROVISIONING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED; PROVISIONING covers the phases REQUESTED to VERIFYING */
              status: string;
              /** @description Where the record stands in detail: REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
              phase: string;
              cloudProvider: string;
              region: string;
              /** @description Kubernetes namespace, matih-{slug} */
              namespace: string;
              /** @description The actual configuration: what the last successful job reached ({} before the first) */
              configuration: {
                databaseSize?: string;
                storageGb?: number;
                enableHa?: boolean;
                /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                quota?: {
                  /** @description Kubernetes quantity: requests.cpu */
                  cpuRequests: string;
                  /** @description Kubernetes quantity: limits.cpu */
                  cpuLimits: string;
                  /** @description Kubernetes quantity: requests.memory */
                  memoryRequests: string;
                  /** @description Kubernetes quantity: limits.memory */
                  memoryLimits: string;
                  pods: number;
                  services: number;
                  persistentVolumeClaims: number;
                };
              };
              /** @description tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster */
              terraformStateKey: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Null once the tenant is deleted */
              desiredState: {
                tier: string;
                region: string;
                cloudProvider: string;
                /** @description databaseSize, storageGb, enableHa, and an Enterprise tenant's quota */
                configuration: {
                  databaseSize?: string;
                  storageGb?: number;
                  enableHa?: boolean;
                  /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                  quota?: {
                    /** @description Kubernetes quantity: requests.cpu */
                    cpuRequests: string;
                    /** @description Kubernetes quantity: limits.cpu */
                    cpuLimits: string;
                    /** @description Kubernetes quantity: requests.memory */
                    memoryRequests: string;
                    /** @description Kubernetes quantity: limits.memory */
                    memoryLimits: string;
                    pods: number;
                    services: number;
                    persistentVolumeClaims: number;
                  };
                };
                suspended: boolean;
                /** @description Goes up with every change of the declaration */
                generation: number;
                /** @description The generation the last successful job reached; equal to generation when converged */
                observedGeneration: number;
                lastReconciledAt: string | null;
                updatedBy: string;
                /** Format: date-time */
                updatedAt: string;
              } | null;
              /** @description The job working on the tenant now, if any */
              currentJob: {
                /** Format: uuid */
                id: string;
                /** @description PROVISION, UPDATE, RECONCILE, SUSPEND, REACTIVATE, DELETE, DEPROVISION */
                kind: string;
                status: string;
              } | null;
              /** @description The job queued to carry the request out; null when nothing needed doing */
              jobId: string | null;
            };
          };
        };
        /** @description The infrastructure record after the request */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: uuid
               * @description Infrastructure record id
               */
              id: string;
              /** Format: uuid */
              tenantId: string;
              /** @description spec/000's status: PROVISIONING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED; PROVISIONING covers the phases REQUESTED to VERIFYING */
              status: string;
              /** @description Where the record stands in detail: REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
              phase: string;
              cloudProvider: string;
              region: string;
              /** @description Kubernetes namespace, matih-{slug} */
              namespace: string;
              /** @description The actual configuration: what the last successful job reached ({} before the first) */
              configuration: {
                databaseSize?: string;
                storageGb?: number;
                enableHa?: boolean;
                /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                quota?: {
                  /** @description Kubernetes quantity: requests.cpu */
                  cpuRequests: string;
                  /** @description Kubernetes quantity: limits.cpu */
                  cpuLimits: string;
                  /** @description Kubernetes quantity: requests.memory */
                  memoryRequests: string;
                  /** @description Kubernetes quantity: limits.memory */
                  memoryLimits: string;
                  pods: number;
                  services: number;
                  persistentVolumeClaims: number;
                };
              };
              /** @description tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster */
              terraformStateKey: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Null once the tenant is deleted */
              desiredState: {
                tier: string;
                region: string;
                cloudProvider: string;
                /** @description databaseSize, storageGb, enableHa, and an Enterprise tenant's quota */
                configuration: {
                  databaseSize?: string;
                  storageGb?: number;
                  enableHa?: boolean;
                  /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                  quota?: {
                    /** @description Kubernetes quantity: requests.cpu */
                    cpuRequests: string;
                    /** @description Kubernetes quantity: limits.cpu */
                    cpuLimits: string;
                    /** @description Kubernetes quantity: requests.memory */
                    memoryRequests: string;
                    /** @description Kubernetes quantity: limits.memory */
                    memoryLimits: string;
                    pods: number;
                    services: number;
                    persistentVolumeClaims: number;
                  };
                };
                suspended: boolean;
                /** @description Goes up with every change of the declaration */
                generation: number;
                /** @description The generation the last successful job reached; equal to generation when converged */
                observedGeneration: number;
                lastReconciledAt: string | null;
                updatedBy: string;
                /** Format: date-time */
                updatedAt: string;
              } | null;
              /** @description The job working on the tenant now, if any */
              currentJob: {
                /** Format: uuid */
                id: string;
                /** @description PROVISION, UPDATE, RECONCILE, SUSPEND, REACTIVATE, DELETE, DEPROVISION */
                kind: string;
                status: string;
              } | null;
              /** @description The job queued to carry the request out; null when nothing needed doing */
              jobId: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post?: never;
    /** Tear the tenant's infrastructure down, keeping its record (platform admin): everything in the cluster, its database, its DNS zone and (Enterprise) its dedicated cluster go. 202 with the DEPROVISION job; 200 when already deprovisioned */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The infrastructure record after the request */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: uuid
               * @description Infrastructure record id
               */
              id: string;
              /** Format: uuid */
              tenantId: string;
              /** @description spec/000's status: PROVISIONING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED; PROVISIONING covers the phases REQUESTED to VERIFYING */
              status: string;
              /** @description Where the record stands in detail: REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
              phase: string;
              cloudProvider: string;
              region: string;
              /** @description Kubernetes namespace, matih-{slug} */
              namespace: string;
              /** @description The actual configuration: what the last successful job reached ({} before the first) */
              configuration: {
                databaseSize?: string;
                storageGb?: number;
                enableHa?: boolean;
                /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                quota?: {
                  /** @description Kubernetes quantity: requests.cpu */
                  cpuRequests: string;
                  /** @description Kubernetes quantity: limits.cpu */
                  cpuLimits: string;
                  /** @description Kubernetes quantity: requests.memory */
                  memoryRequests: string;
                  /** @description Kubernetes quantity: limits.memory */
                  memoryLimits: string;
                  pods: number;
                  services: number;
                  persistentVolumeClaims: number;
                };
              };
              /** @description tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster */
              terraformStateKey: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Null once the tenant is deleted */
              desiredState: {
                tier: string;
                region: string;
                cloudProvider: string;
                /** @description databaseSize, storageGb, enableHa, and an Enterprise tenant's quota */
                configuration: {
                  databaseSize?: string;
                  storageGb?: number;
                  enableHa?: boolean;
                  /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                  quota?: {
                    /** @description Kubernetes quantity: requests.cpu */
                    cpuRequests: string;
                    /** @description Kubernetes quantity: limits.cpu */
                    cpuLimits: string;
                    /** @description Kubernetes quantity: requests.memory */
                    memoryRequests: string;
                    /** @description Kubernetes quantity: limits.memory */
                    memoryLimits: string;
                    pods: number;
                    services: number;
                    persistentVolumeClaims: number;
                  };
                };
                suspended: boolean;
                /** @description Goes up with every change of the declaration */
                generation: number;
                /** @description The generation the last successful job reached; equal to generation when converged */
                observedGeneration: number;
                lastReconciledAt: string | null;
                updatedBy: string;
                /** Format: date-time */
                updatedAt: string;
              } | null;
              /** @description The job working on the tenant now, if any */
              currentJob: {
                /** Format: uuid */
                id: string;
                /** @description PROVISION, UPDATE, RECONCILE, SUSPEND, REACTIVATE, DELETE, DEPROVISION */
                kind: string;
                status: string;
              } | null;
              /** @description The job queued to carry the request out; null when nothing needed doing */
              jobId: string | null;
            };
          };
        };
        /** @description The infrastructure record after the request */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: uuid
               * @description Infrastructure record id
               */
              id: string;
              /** Format: uuid */
              tenantId: string;
              /** @description spec/000's status: PROVISIONING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED; PROVISIONING covers the phases REQUESTED to VERIFYING */
              status: string;
              /** @description Where the record stands in detail: REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
              phase: string;
              cloudProvider: string;
              region: string;
              /** @description Kubernetes namespace, matih-{slug} */
              namespace: string;
              /** @description The actual configuration: what the last successful job reached ({} before the first) */
              configuration: {
                databaseSize?: string;
                storageGb?: number;
                enableHa?: boolean;
                /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                quota?: {
                  /** @description Kubernetes quantity: requests.cpu */
                  cpuRequests: string;
                  /** @description Kubernetes quantity: limits.cpu */
                  cpuLimits: string;
                  /** @description Kubernetes quantity: requests.memory */
                  memoryRequests: string;
                  /** @description Kubernetes quantity: limits.memory */
                  memoryLimits: string;
                  pods: number;
                  services: number;
                  persistentVolumeClaims: number;
                };
              };
              /** @description tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster */
              terraformStateKey: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Null once the tenant is deleted */
              desiredState: {
                tier: string;
                region: string;
                cloudProvider: string;
                /** @description databaseSize, storageGb, enableHa, and an Enterprise tenant's quota */
                configuration: {
                  databaseSize?: string;
                  storageGb?: number;
                  enableHa?: boolean;
                  /** @description The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional) */
                  quota?: {
                    /** @description Kubernetes quantity: requests.cpu */
                    cpuRequests: string;
                    /** @description Kubernetes quantity: limits.cpu */
                    cpuLimits: string;
                    /** @description Kubernetes quantity: requests.memory */
                    memoryRequests: string;
                    /** @description Kubernetes quantity: limits.memory */
                    memoryLimits: string;
                    pods: number;
                    services: number;
                    persistentVolumeClaims: number;
                  };
                };
                suspended: boolean;
                /** @description Goes up with every change of the declaration */
                generation: number;
                /** @description The generation the last successful job reached; equal to generation when converged */
                observedGeneration: number;
                lastReconciledAt: string | null;
                updatedBy: string;
                /** Format: date-time */
                updatedAt: string;
              } | null;
              /** @description The job working on the tenant now, if any */
              currentJob: {
                /** Format: uuid */
                id: string;
                /** @description PROVISION, UPDATE, RECONCILE, SUSPEND, REACTIVATE, DELETE, DEPROVISION */
                kind: string;
                status: string;
              } | null;
              /** @description The job queued to carry the request out; null when nothing needed doing */
              jobId: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/infrastructure/tenants/{tenantId}/transitions": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every status change of the infrastructure (InfrastructureStateTransition), oldest first, paged */
    get: {
      parameters: {
        query: {
          /** @description nextCursor of the previous page */
          after: number;
          limit: number;
        };
        header?: never;
        path: {
          /** @description Tenant id */
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                tenantId: string;
                /** @description Position among all transitions; the paging cursor */
                seq: number;
                fromState: string | null;
                /** @description REQUESTED, PLANNING, APPLYING, DEPLOYING, CONFIGURING, VERIFYING, ACTIVE, UPDATING, SUSPENDED, DEPROVISIONING, DEPROVISIONED, FAILED */
                toState: string;
                /** @description What moved it: tenant.created, job.started, step.started, job.succeeded, job.failed, provision.requested... */
                trigger: string;
                details: {
                  [key: string]: unknown;
                };
                jobId: string | null;
                /** Format: date-time */
                timestamp: string;
              }[];
              /** @description Pass as after for the next page; null on the last */
              nextCursor: number | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/infrastructure/reconciler": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The desired-state reconciler: interval, bound, last sweep, open repairs (platform admin) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description MATIH_RECONCILE_INTERVAL_S; 0: no periodic sweep (declaration changes still reconcile) */
              intervalSeconds: number;
              /** @description MATIH_RECONCILE_MAX_JOBS: RECONCILE jobs open at once, across replicas */
              maxJobs: number;
              /** @description This replica's reconcile loop runs */
              running: boolean;
              /** @description This replica is in a pass now */
              sweeping: boolean;
              /** @description This replica */
              owner: string;
              /** @description The replica sweeping now */
              leaseOwner: string | null;
              nextSweepAt: string | null;
              /** @description The last full sweep any replica finished */
              lastSweep: components["schemas"]["ReconcileSweep"] | null;
              /** @description This replica's last pass, full or targeted */
              lastPass: components["schemas"]["ReconcileSweep"] | null;
              openReconcileJobs: number;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/infrastructure/reconciler/sweeps": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Ask for a full reconcile sweep now, whatever MATIH_RECONCILE_INTERVAL_S (platform admin)
     * @description 202 at once: this replica's reconciler sweeps every live tenant as soon as its current pass ends, under the sweep lease (while another replica holds it, that replica's sweep stands for it). Requests made before the sweep starts are one sweep. GET /api/v1/infrastructure/reconciler shows it: sweeping, then lastPass.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /**
               * Format: date-time
               * @description When the sweep was asked for: it is the first full pass in GET /api/v1/infrastructure/reconciler whose startedAt is at or after this (lastPass, then lastSweep)
               */
              requestedAt: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description RFC 9457 problem details */
    Problem: {
      type: string;
      title: string;
      status: number;
      /** @description Stable machine-readable error code */
      code: string;
      detail: string;
      instance: string;
      requestId: string;
      errors?: {
        field: string;
        message: string;
        in: string;
      }[];
    };
    /** @description The tenant record of spec/003 */
    Tenant: {
      /** Format: uuid */
      id: string;
      name: string;
      slug: string;
      tier: "FREE" | "PROFESSIONAL" | "ENTERPRISE";
      status: "PROVISIONING" | "ACTIVE" | "FAILED" | "SUSPENDED" | "DELETING" | "DELETED" | "DEPROVISIONING" | "DEPROVISIONED";
      region: string;
      cloudProvider: "AZURE" | "AWS" | "GCP";
      adminEmail: string;
      provisioningStartedAt: string | null;
      deploymentType: string | null;
      kubernetesNamespace: string | null;
      azureAksClusterName: string | null;
      provisioningCompletedAt: string | null;
      provisioningError: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
    };
    ProvisioningStatus: {
      /** Format: uuid */
      tenantId: string;
      /** @description The tenant status: PROVISIONING, ACTIVE, FAILED... */
      status: string;
      currentPhase: string;
      completedPhases: string[];
      remainingPhases: string[];
      progress: number;
      startedAt: string | null;
      estimatedCompletion: string | null;
      retryCount: number;
      currentStep: string | null;
      steps: {
        name: string;
        stage: string;
        position: number;
        status: string;
        attempts: number;
        startedAt: string | null;
        completedAt: string | null;
        lastError: string | null;
      }[];
      errorMessage: string | null;
      nextRetryAt: string | null;
      completedAt: string | null;
      /** @description spec/003 TenantProvisioningJob */
      job: {
        /** Format: uuid */
        id: string;
        kind: string;
        status: string;
        maxRetries: number;
        /** @description Who asked for the job, as a principal reference: `bootstrap` (the bootstrap token), `api-key:{keyId}` (an API key, or a token exchanged for one: GET /api/v1/tenants/{id}/api-keys names it), or `reconciler` (a drift repair) */
        initiatedBy: string;
        /** @description The tier the job runs for (a tier change runs at the new tier) */
        tier: string;
        /** @description spec/003 TenantProvisioningJob.currentState: the stage the job is in */
        currentState: string;
        /** @description spec/003 TenantProvisioningJob.context: what asked for the job (trigger) and what it carries out (generation, configuration, reason); never a secret */
        context: {
          [key: string]: unknown;
        };
      };
      /** @description The newest history sequence number; resume the WebSocket from here */
      lastSequence: number;
    };
    ReconcileSweep: {
      /** @description full: every live tenant; targeted: the tenants a declaration change named */
      scope: "full" | "targeted";
      /** @description The replica that swept */
      owner?: string;
      /** Format: date-time */
      startedAt: string;
      /** Format: date-time */
      finishedAt: string;
      durationMs: number;
      /** @description ACTIVE or SUSPENDED tenants with no job in flight, observed */
      tenantsChecked: number;
      /** @description Matched their declaration */
      clean: number;
      /** @description Differed: drift, a newer generation, or a failed last job */
      drifted: number;
      /** @description RECONCILE jobs queued */
      jobsQueued: number;
      /** @description Differed, but MATIH_RECONCILE_MAX_JOBS repairs were open: the next sweep takes them */
      deferred: number;
      /** @description Could not be observed; the next sweep tries again */
      errors: number;
      skipped?: string;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

/** The JSON body of the answer `S` (default 200; a union for several) to `M P`. */
export type ResponseJson<P extends keyof paths, M extends "get" | "put" | "post" | "delete" | "patch", S extends number = 200> =
  paths[P] extends Record<M, { responses: Record<S, { content: { "application/json": infer B } }> }> ? B : never;
