import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kafkaAnswers } from '../health';
import { MAVEN_SERVICE_REQUIREMENTS, mavenInstall, pomProperty } from '../install/maven';
import { run } from '../install/run';
import { cacheDir } from '../paths';
import type { ServiceContext, ServiceDefinition } from '../service';

const POM = 'kafka/pom.xml';
const version = pomProperty(POM, 'kafka.version');
const entry = `kafka-${version}/lib`;

/**
 * A random cluster id the way Kafka makes its own: 16 bytes in base64url, never starting with "-",
 * which StorageTool's argument parser would take for an option (one id in 64 otherwise).
 */
export function newClusterId(bytes: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = bytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaArgs(context: ServiceContext): string[] {
  return [
    `-Dlog4j.configuration=file:${join(context.dir, 'log4j.properties')}`,
    '-cp',
    `${join(cacheDir(), entry)}/*`,
  ];
}

/** Apache Kafka in KRaft mode: one node that is both broker and controller. */
export const kafka: ServiceDefinition = {
  name: 'kafka',
  version,
  ports: [
    { role: 'broker', defaultPort: 9092, env: 'VIGIL_KAFKA_PORT' },
    { role: 'controller', defaultPort: 9094, env: 'VIGIL_KAFKA_CONTROLLER_PORT' },
  ],
  requires: MAVEN_SERVICE_REQUIREMENTS,

  async install(log) {
    await mavenInstall(POM, 'copy-dependencies', entry, log);
  },

  async prepare(context) {
    const { broker, controller } = context.ports;
    const properties = {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': `1@127.0.0.1:${controller}`,
      listeners: `PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${broker}`,
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': join(context.dir, 'data'),
      'num.partitions': '1',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      // One node: no other member to wait for before the first consumer group rebalance.
      'group.initial.rebalance.delay.ms': '0',
    };
    await writeFile(
      join(context.dir, 'server.properties'),
      Object.entries(properties).map(([key, value]) => `${key}=${value}\n`).join(''),
    );
    await writeFile(
      join(context.dir, 'log4j.properties'),
      [
        'log4j.rootLogger=INFO, stdout',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
        '',
      ].join('\n'),
    );
    await mkdir(join(context.dir, 'data'), { recursive: true });
    const clusterId = newClusterId();
    await run('java', [...javaArgs(context), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', join(context.dir, 'server.properties')]);
    return { clusterId };
  },

  launch(context) {
    return {
      command: 'java',
      args: [
        `-Xmx${process.env.VIGIL_KAFKA_HEAP ?? '512m'}`,
        '-XX:+UseG1GC',
        ...javaArgs(context),
        'kafka.Kafka',
        join(context.dir, 'server.properties'),
      ],
    };
  },

  healthy: (context) => kafkaAnswers('127.0.0.1', context.ports.broker ?? 0),

  endpoints: (context) => ({ brokers: `127.0.0.1:${context.ports.broker}` }),
};
