// The pipeline board: a column per stage, cards per opportunity. Cards move by
// native drag and drop or, from the keyboard, with each card's stage select.
// Moves are optimistic and roll back if the API refuses.
import { useMemo, useState } from 'react';
import { opportunities as oppsApi, pipelines as pipelinesApi } from '../api/endpoints';
import type { Opportunity, OpportunityStatus, Pipeline } from '../api/types';
import { Link, setSearchParams, useLocation } from '../shell/router';
import { EmptyState, ErrorAlert, Loading } from '../ui/components';
import { useConfirm, useToast } from '../ui/feedback';
import { formatMoney, sumMoney } from '../ui/format';
import { usePageTitle, useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { BoardColumn } from './BoardColumn';
import { NewOpportunityDialog } from './NewOpportunityDialog';
import './board.css';

const STATUS_FILTERS: { value: '' | OpportunityStatus; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'open', label: 'Open' },
  { value: 'won', label: 'Won' },
  { value: 'lost', label: 'Lost' },
  { value: 'abandoned', label: 'Abandoned' },
];

export default function PipelinePage() {
  usePageTitle('Opportunities');
  const toast = useToast();
  const confirm = useConfirm();
  const { search } = useLocation();
  const pipelines = useResource(() => pipelinesApi.list(), []);
  const list = pipelines.data ?? [];
  const pipeline: Pipeline | undefined = list.find((p) => p.id === search.get('pipeline')) ?? list[0];
  const statusFilter = (search.get('status') ?? '') as '' | OpportunityStatus;

  const opps = useResource(() => (pipeline ? oppsApi.list({ pipeline_id: pipeline.id }) : Promise.resolve([])), [pipeline?.id]);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  const stages = useMemo(() => [...(pipeline?.stages ?? [])].sort((a, b) => a.position - b.position), [pipeline]);
  const visible = (opps.data ?? []).filter((o) => !statusFilter || o.status === statusFilter);
  const openTotal = sumMoney((opps.data ?? []).filter((o) => o.status === 'open').map((o) => o.value));

  const replace = (id: string, change: Partial<Opportunity> | Opportunity) =>
    opps.setData((prev) => (prev ?? []).map((o) => (o.id === id ? { ...o, ...change } : o)));

  const move = async (opp: Opportunity, stageId: string) => {
    if (opp.stage_id === stageId) return;
    const from = opp.stage_id;
    const stageName = stages.find((s) => s.id === stageId)?.name ?? 'stage';
    replace(opp.id, { stage_id: stageId });
    setAnnouncement(`Moved ${opp.name} to ${stageName}`);
    try {
      const saved = await oppsApi.update(opp.id, { stage_id: stageId });
      replace(opp.id, saved);
    } catch (err) {
      replace(opp.id, { stage_id: from });
      setAnnouncement(`Could not move ${opp.name}`);
      toast.error(err);
    }
  };

  const setStatus = async (opp: Opportunity, status: OpportunityStatus) => {
    const before = opp.status;
    replace(opp.id, { status });
    try {
      const saved = await oppsApi.update(opp.id, { status });
      replace(opp.id, saved);
      toast.success(status === 'open' ? `${opp.name} reopened` : `${opp.name} marked ${status}`);
    } catch (err) {
      replace(opp.id, { status: before });
      toast.error(err);
    }
  };

  const remove = async (opp: Opportunity) => {
    const ok = await confirm({
      title: `Delete “${opp.name}”?`,
      message: 'The opportunity is removed from the pipeline. This cannot be undone.',
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!ok) return;
    try {
      await oppsApi.remove(opp.id);
      opps.setData((prev) => (prev ?? []).filter((o) => o.id !== opp.id));
      toast.success('Opportunity deleted');
    } catch (err) {
      toast.error(err);
    }
  };

  if (pipelines.loading && !pipelines.data) return <Loading label="Loading pipelines…" />;

  return (
    <div className="page page-wide board-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Opportunities</h1>
          {pipeline && (
            <p>
              {(opps.data ?? []).filter((o) => o.status === 'open').length} open · <strong className="board-total">{formatMoney(openTotal)}</strong> in open
              deals
            </p>
          )}
        </div>
        {list.length > 0 && (
          <>
            <div className="toolbar-inline">
              <label htmlFor="pipeline-select">Pipeline</label>
              <select id="pipeline-select" className="select" value={pipeline?.id ?? ''} onChange={(e) => setSearchParams({ pipeline: e.target.value })}>
                {list.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="toolbar-inline">
              <label htmlFor="status-filter">Status</label>
              <select id="status-filter" className="select" value={statusFilter} onChange={(e) => setSearchParams({ status: e.target.value })}>
                {STATUS_FILTERS.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            </div>
            <button type="button" className="btn btn-primary" onClick={() => setDialogOpen(true)}>
              <Icon name="plus" />
              New opportunity
            </button>
          </>
        )}
      </div>

      {pipelines.error !== undefined && <ErrorAlert error={pipelines.error} onRetry={pipelines.reload} />}

      {!pipelines.error && list.length === 0 && (
        <div className="card">
          <EmptyState
            icon="board"
            title="No pipelines yet"
            action={
              <Link className="btn btn-primary" to="/settings/pipelines">
                <Icon name="plus" />
                Create a pipeline
              </Link>
            }
          >
            A pipeline is the set of stages your deals move through, like Lead → Proposal → Won.
          </EmptyState>
        </div>
      )}

      {pipeline && stages.length === 0 && (
        <div className="card">
          <EmptyState
            icon="board"
            title="This pipeline has no stages"
            action={
              <Link className="btn" to="/settings/pipelines">
                Add stages
              </Link>
            }
          />
        </div>
      )}

      {pipeline && opps.error !== undefined && <ErrorAlert error={opps.error} onRetry={opps.reload} />}

      {pipeline && stages.length > 0 && !opps.error && (
        <div className="board" aria-busy={opps.loading}>
          {stages.map((stage) => (
            <BoardColumn
              key={stage.id}
              stage={stage}
              stages={stages}
              items={visible.filter((o) => o.stage_id === stage.id)}
              loading={opps.loading && !opps.data}
              onMove={move}
              onDropId={(id, stageId) => {
                const opp = opps.data?.find((o) => o.id === id);
                if (opp) void move(opp, stageId);
              }}
              onStatus={setStatus}
              onDelete={remove}
            />
          ))}
        </div>
      )}

      <div className="sr-only" aria-live="polite">
        {announcement}
      </div>

      {pipeline && (
        <NewOpportunityDialog
          open={dialogOpen}
          pipeline={{ ...pipeline, stages }}
          onClose={() => setDialogOpen(false)}
          onCreated={(opp) => {
            setDialogOpen(false);
            opps.setData((prev) => [...(prev ?? []), opp]);
          }}
        />
      )}
    </div>
  );
}
