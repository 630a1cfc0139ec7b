// A small Grafana dashboard library: just what Vigil's dashboards use, producing the JSON model
// Grafana 10 and later import (schemaVersion 39). With jsonnet-bundler, grafonnet can replace it;
// see docs/dashboards.md.
local promDatasource = { type: 'prometheus', uid: '${datasource}' };

{
  dashboard(title, uid, description, tags=[], refresh='30s'):: {
    title: title,
    uid: uid,
    description: description,
    tags: tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    timezone: 'browser',
    refresh: refresh,
    time: { from: 'now-1h', to: 'now' },
    annotations: { list: [] },
    links: [],
    templating: { list: [] },
    panels: [],
  },

  // Lays rows of panels out on Grafana's 24-column grid and numbers them. Each row is
  // { title, height, panels }; the panels of a row share its width equally unless they set `width`.
  layout(rows)::
    local place(acc, row) =
      local rowPanel = {
        type: 'row',
        title: row.title,
        collapsed: false,
        id: acc.id,
        gridPos: { h: 1, w: 24, x: 0, y: acc.y },
        panels: [],
      };
      local defaultWidth = std.floor(24 / std.length(row.panels));
      local widths = [std.get(p, 'width', defaultWidth) for p in row.panels];
      local xs = std.foldl(function(xs, w) xs + [xs[std.length(xs) - 1] + w], widths, [0]);
      local height = std.get(row, 'height', 8);
      local placed = [
        std.mergePatch(row.panels[i], { width: null }) + {
          id: acc.id + 1 + i,
          gridPos: { h: height, w: widths[i], x: xs[i], y: acc.y + 1 },
        }
        for i in std.range(0, std.length(row.panels) - 1)
      ];
      { id: acc.id + 1 + std.length(placed), y: acc.y + 1 + height, panels: acc.panels + [rowPanel] + placed };
    std.foldl(place, rows, { id: 1, y: 0, panels: [] }).panels,

  target(expr, legend='', refId='A', exemplar=false, instant=false):: {
    datasource: promDatasource,
    expr: expr,
    legendFormat: legend,
    refId: refId,
    exemplar: exemplar,
    range: !instant,
    instant: instant,
  } + (if instant then { format: 'table' } else {}),

  // Gives each target of a panel its own refId: A, B, C, ...
  local withRefIds(targets) = [targets[i] { refId: std.char(65 + i) } for i in std.range(0, std.length(targets) - 1)],

  timeseries(title, description, targets, unit='short', min=null, max=null, links=[], stack=false):: {
    type: 'timeseries',
    title: title,
    description: description,
    datasource: promDatasource,
    targets: withRefIds(targets),
    fieldConfig: {
      defaults: {
        unit: unit,
        links: links,
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: if stack then 30 else 10,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: if stack then 'normal' else 'none', group: 'A' },
        },
      } + (if min != null then { min: min } else {}) + (if max != null then { max: max } else {}),
      overrides: [],
    },
    options: {
      legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  },

  stat(title, description, targets, unit='short', thresholds=[], links=[]):: {
    type: 'stat',
    title: title,
    description: description,
    datasource: promDatasource,
    targets: withRefIds(targets),
    fieldConfig: {
      defaults: {
        unit: unit,
        links: links,
        thresholds: {
          mode: 'absolute',
          steps: [{ color: 'green', value: null }] + [{ color: t.color, value: t.value } for t in thresholds],
        },
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
      justifyMode: 'auto',
      orientation: 'auto',
      textMode: 'auto',
      wideLayout: true,
      showPercentChange: false,
      percentChangeColorMode: 'standard',
    },
  },

  // A table of instant queries joined on their shared labels, one column per query. A column with
  // `hidden: true` only contributes its labels (an info metric's value is always 1).
  table(title, description, targets, columns, links=[]):: {
    type: 'table',
    title: title,
    description: description,
    datasource: promDatasource,
    targets: withRefIds(targets),
    transformations: [
      { id: 'merge', options: {} },
      {
        id: 'organize',
        options: {
          excludeByName: { Time: true } + {
            ['Value #' + std.char(65 + i)]: true
            for i in std.range(0, std.length(columns) - 1)
            if std.get(columns[i], 'hidden', false)
          },
          renameByName: { ['Value #' + std.char(65 + i)]: columns[i].title for i in std.range(0, std.length(columns) - 1) },
        },
      },
    ],
    fieldConfig: {
      defaults: { links: links, custom: { align: 'auto', inspect: false, cellOptions: { type: 'auto' } } },
      overrides: [
        {
          matcher: { id: 'byName', options: columns[i].title },
          properties: [{ id: 'unit', value: columns[i].unit }] + (
            if std.objectHas(columns[i], 'thresholds') then [
              { id: 'custom.cellOptions', value: { type: 'color-background' } },
              {
                id: 'thresholds',
                value: { mode: 'absolute', steps: [{ color: 'green', value: null }] + [{ color: t.color, value: t.value } for t in columns[i].thresholds] },
              },
            ] else []
          ),
        }
        for i in std.range(0, std.length(columns) - 1)
      ],
    },
    options: { frameIndex: 0, showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false } },
  },

  // Template variables.
  datasourceVariable(name, type, label):: {
    name: name,
    label: label,
    type: 'datasource',
    query: type,
    hide: 0,
    refresh: 1,
    options: [],
    skipUrlSync: false,
  },

  queryVariable(name, label, query, multi=true, includeAll=true):: {
    name: name,
    label: label,
    type: 'query',
    datasource: promDatasource,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: query,
    refresh: 2,
    sort: 1,
    multi: multi,
    includeAll: includeAll,
    allValue: '.*',
    hide: 0,
    options: [],
    skipUrlSync: false,
  },

  customVariable(name, label, values, default, includeAll=true):: {
    name: name,
    label: label,
    type: 'custom',
    query: std.join(',', values),
    multi: true,
    includeAll: includeAll,
    allValue: '.*',
    current: { text: [default], value: [default], selected: true },
    options: [{ text: v, value: v, selected: v == default } for v in values],
    hide: 0,
    skipUrlSync: false,
  },

  // A data link on a panel's values; Grafana's schema types it as a dashboard link of type `link`.
  link(title, url, tooltip=''):: {
    title: title,
    type: 'link',
    url: url,
    tooltip: tooltip,
    icon: 'external link',
    tags: [],
    asDropdown: false,
    targetBlank: true,
    includeVars: false,
    keepTime: false,
  },

  dashboardLink(title, tags):: {
    title: title,
    type: 'dashboards',
    tags: tags,
    asDropdown: true,
    includeVars: true,
    keepTime: true,
    icon: 'external link',
    targetBlank: false,
    tooltip: '',
    url: '',
  },
}
