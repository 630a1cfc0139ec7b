import { defaultResource, detectResources, hostDetector, processDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ServiceIdentity } from '../config/options';

/**
 * The identity every span carries: the service identity shared by all signals (DESIGN.md), on top
 * of the host and process the SDK detects and the attributes from OTEL_RESOURCE_ATTRIBUTES.
 */
export function createResource(identity: ServiceIdentity): Resource {
  const detected = detectResources({ detectors: [hostDetector, processDetector] });
  return defaultResource()
    .merge(detected)
    .merge(resourceFromAttributes(identity.attributes))
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: identity.service,
        [ATTR_SERVICE_VERSION]: identity.version,
        // Both spellings: older Jaeger and Grafana views read the first, current conventions the second.
        'deployment.environment': identity.environment,
        'deployment.environment.name': identity.environment,
        'service.tier': identity.tier,
      }),
    );
}
