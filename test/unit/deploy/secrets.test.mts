import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { filesUnder, kustomizations, kustomize, read } from './files.mts';
import { findWrittenSecrets } from './secret-scan.mts';

const deploymentFiles = [
  'deploy/docker-compose.yml',
  'deploy/.env.example',
  ...filesUnder('deploy/docker'),
  ...filesUnder('deploy/kubernetes'),
];

describe('no password or token is written into the deployment files', () => {
  for (const file of deploymentFiles) {
    it(file, () => {
      assert.deepEqual(findWrittenSecrets(file, read(file)), []);
    });
  }

  for (const dir of kustomizations()) {
    it(`kustomize build of ${dir}`, () => {
      const built = stringify(kustomize(dir));
      assert.deepEqual(findWrittenSecrets(`${dir} (built).yaml`, built), []);
    });
  }
});

describe('the secret scan', () => {
  const written: [string, string, string][] = [
    ['compose environment map', 'x.yml', 'services:\n  es:\n    environment:\n      ELASTIC_PASSWORD: hunter2\n'],
    ['compose environment list', 'x.yml', 'services:\n  grafana:\n    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=admin\n'],
    ['compose default for a secret', 'x.yml', 'services:\n  es:\n    environment:\n      ELASTIC_PASSWORD: ${ELASTIC_PASSWORD:-changeme}\n'],
    ['Kubernetes env value', 'x.yaml', 'kind: Deployment\nspec:\n  containers:\n    - env:\n        - name: VIGIL_ELASTICSEARCH_API_KEY\n          value: "abc123"\n'],
    ['Kubernetes Secret with data', 'x.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: abc\n'],
    ['.env value', '.env.example', 'ELASTIC_PASSWORD=s3cret\n'],
    ['Dockerfile ENV', 'x.Dockerfile', 'FROM node:24.21.0\nENV SENTRY_DSN=https://key@sentry.example/1\n'],
    ['URL with a password', 'x.yml', 'url: http://elastic:s3cret@elasticsearch:9200\n'],
    ['curl -u with a password', 'setup.sh', 'curl -u elastic:s3cret http://localhost:9200\n'],
    ['JSON web token', 'x.yml', 'header: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\n'],
    ['private key', 'x.yaml', 'key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  abc\n'],
    ['Authorization header', 'x.yml', 'test: ["CMD", "curl", "-H", "Authorization: ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw"]\n'],
  ];
  for (const [name, file, text] of written) {
    it(`finds ${name}`, () => {
      assert.notDeepEqual(findWrittenSecrets(file, text), [], `expected a finding in ${text}`);
    });
  }

  const referenced: [string, string, string][] = [
    ['compose required variable', 'x.yml', 'services:\n  es:\n    environment:\n      ELASTIC_PASSWORD: ${ELASTIC_PASSWORD:?set it in deploy/.env}\n'],
    ['shell variable in a health check', 'x.yml', 'test: ["CMD-SHELL", "curl -u \\"elastic:$${ELASTIC_PASSWORD}\\" http://localhost:9200"]\n'],
    ['secretKeyRef', 'x.yaml', 'env:\n  - name: VIGIL_ELASTICSEARCH_API_KEY\n    valueFrom:\n      secretKeyRef:\n        name: vigil-collector-elasticsearch\n        key: api-key\n'],
    ['empty .env.example value', '.env.example', '# the password\nELASTIC_PASSWORD=\n'],
    ['a file holding the token', 'x.yml', 'authorization:\n  credentials_file: /etc/prometheus-federation/token\nsecretName: vigil-federation\n'],
  ];
  for (const [name, file, text] of referenced) {
    it(`accepts ${name}`, () => {
      assert.deepEqual(findWrittenSecrets(file, text), []);
    });
  }
});
