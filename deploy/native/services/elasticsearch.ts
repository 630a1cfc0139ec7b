import { randomBytes } from 'node:crypto';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpOk } from '../health';
import { javaHome } from '../install/commands';
import { MAVEN_SERVICE_REQUIREMENTS, mavenInstall, pomProperty } from '../install/maven';
import { run } from '../install/run';
import { cacheDir } from '../paths';
import type { ServiceContext, ServiceDefinition } from '../service';

const POM = 'elasticsearch/pom.xml';
const version = pomProperty(POM, 'elasticsearch.version');
const entry = `elasticsearch-${version}`;
const home = () => join(cacheDir(), entry, `elasticsearch-${version}`);
const USER = 'elastic';

function esEnv(context: ServiceContext): Record<string, string> {
  return {
    ES_JAVA_HOME: javaHome(),
    ES_PATH_CONF: join(context.dir, 'config'),
    ES_TMPDIR: join(context.dir, 'tmp'),
    ES_JAVA_OPTS: `-Xms${process.env.VIGIL_ELASTICSEARCH_HEAP ?? '512m'} -Xmx${process.env.VIGIL_ELASTICSEARCH_HEAP ?? '512m'}`,
  };
}

function authorization(context: ServiceContext): string {
  return `Basic ${Buffer.from(`${USER}:${context.secrets.password}`).toString('base64')}`;
}

/**
 * Elasticsearch, single node, from the integration-test distribution on Maven Central. It carries
 * the security module, so the node runs with authentication: user `elastic`, generated password.
 */
export const elasticsearch: ServiceDefinition = {
  name: 'elasticsearch',
  version,
  ports: [
    { role: 'http', defaultPort: 9200, env: 'VIGIL_ELASTICSEARCH_PORT' },
    { role: 'transport', defaultPort: 9300, env: 'VIGIL_ELASTICSEARCH_TRANSPORT_PORT' },
  ],
  requires: [
    ...MAVEN_SERVICE_REQUIREMENTS,
    ...(process.getuid?.() === 0 ? [{ command: 'unshare', debianPackage: 'util-linux' }] : []),
  ],

  async install(log) {
    await mavenInstall(POM, 'unpack', entry, log);
  },

  async prepare(context) {
    const config = join(context.dir, 'config');
    // The node's own keystore is created below; never inherit one from the shared install.
    await cp(join(home(), 'config'), config, { recursive: true, filter: (source) => !source.endsWith('elasticsearch.keystore') });
    await mkdir(join(context.dir, 'tmp'), { recursive: true });
    const settings = {
      'cluster.name': 'vigil',
      'node.name': 'vigil-1',
      'path.data': join(context.dir, 'data'),
      'path.logs': join(context.dir, 'logs'),
      'network.host': '127.0.0.1',
      'http.port': String(context.ports.http),
      'transport.port': String(context.ports.transport),
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'true',
      // Loopback only; TLS would only make every client carry a generated CA.
      'xpack.security.http.ssl.enabled': 'false',
      'xpack.security.transport.ssl.enabled': 'false',
      // A developer disk filling up should not turn indices read-only in the middle of a test.
      'cluster.routing.allocation.disk.threshold_enabled': 'false',
    };
    await writeFile(join(config, 'elasticsearch.yml'), Object.entries(settings).map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`).join(''));
    const password = randomBytes(18).toString('base64url');
    const keystore = join(home(), 'bin', 'elasticsearch-keystore');
    await run(keystore, ['create'], { env: esEnv(context) });
    await run(keystore, ['add', '-x', 'bootstrap.password'], { env: esEnv(context), input: password });
    return { password };
  },

  launch(context) {
    const binary = join(home(), 'bin', 'elasticsearch');
    // Elasticsearch refuses to run as root. A user namespace gives it a non-root identity while
    // its files stay owned by the caller, so no system user or chown is needed.
    const asRoot = process.getuid?.() === 0;
    return {
      command: asRoot ? 'unshare' : binary,
      args: asRoot ? ['--user', '--map-user=65534', '--map-group=65534', binary] : [],
      env: esEnv(context),
    };
  },

  healthy: (context) =>
    httpOk(`http://127.0.0.1:${context.ports.http}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      authorization: authorization(context),
    }),

  endpoints: (context) => ({
    url: `http://127.0.0.1:${context.ports.http}`,
    username: USER,
    password: context.secrets.password ?? '',
  }),
};
