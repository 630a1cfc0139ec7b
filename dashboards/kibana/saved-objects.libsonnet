// Kibana saved objects, as lines of the NDJSON that Kibana's saved-objects import API accepts:
// a data view over every Vigil log data stream, and a saved search per service.
{
  local c = $._config,
  local k = c.kibana,
  local dataViewRef = 'kibanaSavedObjectMeta.searchSourceJSON.index',

  local dataView = {
    type: 'index-pattern',
    id: k.dataViewId,
    attributes: {
      title: k.indexPattern,
      name: 'Vigil logs',
      timeFieldName: '@timestamp',
      // trace.id opens the trace in Jaeger.
      fieldFormatMap: std.manifestJsonMinified({
        'trace.id': { id: 'url', params: { urlTemplate: c.jaegerUrl + '/trace/{{value}}', labelTemplate: '{{value}}' } },
      }),
    },
    references: [],
  },

  local serviceSearch(service) = {
    type: 'search',
    id: '%s-%s' % [k.dataViewId, service],
    attributes: {
      title: 'Logs of %s' % service,
      description: 'Every log line of %s, newest first, with level, message and trace id.' % service,
      columns: ['log.level', 'message', 'trace.id', 'service.environment'],
      sort: [['@timestamp', 'desc']],
      kibanaSavedObjectMeta: {
        searchSourceJSON: std.manifestJsonMinified({
          query: { query: 'service.name:"%s"' % service, language: 'kuery' },
          filter: [],
          indexRefName: dataViewRef,
        }),
      },
    },
    references: [{ name: dataViewRef, type: 'index-pattern', id: k.dataViewId }],
  },

  kibanaSavedObjects:: [dataView] + [serviceSearch(service) for service in k.services],
}
