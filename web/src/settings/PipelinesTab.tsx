import { useState } from 'react';
import { ApiError } from '../api/client';
import { pipelines as api } from '../api/endpoints';
import type { Pipeline } from '../api/types';
import { EmptyState, ErrorAlert, Field, Loading, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useConfirm, useToast } from '../ui/feedback';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { newStage, StageEditor, type StageDraft } from './StageEditor';

const DEFAULT_STAGES = ['New lead', 'Contacted', 'Proposal sent', 'Negotiation', 'Closed'];

const toDrafts = (p: Pipeline) => [...p.stages].sort((a, b) => a.position - b.position).map((s) => newStage(s.name, s.id));

export function PipelinesTab() {
  const list = useResource(() => api.list(), []);
  const [open, setOpen] = useState(false);
  const pipelines = list.data ?? [];

  return (
    <section aria-labelledby="pipelines-title">
      <div className="settings-section-header">
        <div>
          <h2 id="pipelines-title">Pipelines</h2>
          <p>The stages your deals move through. Stages holding opportunities cannot be removed.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
          <Icon name="plus" />
          New pipeline
        </button>
      </div>
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <ErrorAlert error={list.error} onRetry={list.reload} />
      ) : pipelines.length === 0 ? (
        <div className="card">
          <EmptyState icon="board" title="No pipelines yet">
            Create one to start tracking opportunities on a board.
          </EmptyState>
        </div>
      ) : (
        <div className="pipeline-cards">
          {pipelines.map((p) => (
            <PipelineCard
              key={p.id}
              pipeline={p}
              onSaved={(saved) => list.setData((prev) => (prev ?? []).map((x) => (x.id === saved.id ? saved : x)))}
              onDeleted={() => list.setData((prev) => (prev ?? []).filter((x) => x.id !== p.id))}
            />
          ))}
        </div>
      )}
      <NewPipelineDialog
        open={open}
        onClose={() => setOpen(false)}
        onCreated={(p) => {
          list.setData((prev) => [...(prev ?? []), p]);
          setOpen(false);
        }}
      />
    </section>
  );
}

function PipelineCard({ pipeline, onSaved, onDeleted }: { pipeline: Pipeline; onSaved: (p: Pipeline) => void; onDeleted: () => void }) {
  const toast = useToast();
  const confirm = useConfirm();
  const [name, setName] = useState(pipeline.name);
  const [stages, setStages] = useState<StageDraft[]>(() => toDrafts(pipeline));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const original = toDrafts(pipeline);
  const dirty = name !== pipeline.name || stages.length !== original.length || stages.some((s, i) => s.id !== original[i].id || s.name !== original[i].name);

  const save = async () => {
    if (stages.some((s) => !s.name.trim())) {
      setError(new ApiError(400, { detail: 'Every stage needs a name.' }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await api.update(pipeline.id, {
        name: name.trim(),
        stages: stages.map((s) => (s.id ? { id: s.id, name: s.name.trim() } : { name: s.name.trim() })),
      });
      onSaved(saved);
      setName(saved.name);
      setStages(toDrafts(saved));
      toast.success(`Saved ${saved.name}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const ok = await confirm({
      title: `Delete pipeline “${pipeline.name}”?`,
      message: 'Its stages are deleted. A pipeline that still holds opportunities cannot be deleted.',
      confirmLabel: 'Delete pipeline',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.remove(pipeline.id);
      toast.success(`Deleted ${pipeline.name}`);
      onDeleted();
    } catch (err) {
      toast.error(err);
    }
  };

  return (
    <form
      className="card"
      aria-label={`Pipeline ${pipeline.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="card-header">
        <label htmlFor={`pipeline-name-${pipeline.id}`} className="sr-only">
          Pipeline name
        </label>
        <input
          id={`pipeline-name-${pipeline.id}`}
          className="input"
          style={{ maxWidth: 320, fontWeight: 600 }}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <span className="spacer" />
        <button type="button" className="btn btn-danger-ghost btn-sm" onClick={remove}>
          <Icon name="trash" />
          Delete
        </button>
      </div>
      <div className="card-body stack">
        {error !== null && <ErrorAlert error={error} />}
        <StageEditor stages={stages} onChange={setStages} label={`Stages of ${pipeline.name}`} />
      </div>
      <div className="card-footer">
        {dirty && <span className="subtle">Unsaved changes</span>}
        <button
          type="button"
          className="btn"
          disabled={!dirty || busy}
          onClick={() => {
            setName(pipeline.name);
            setStages(toDrafts(pipeline));
            setError(null);
          }}
        >
          Discard
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || busy || !name.trim()}>
          {busy && <Spinner />}
          Save pipeline
        </button>
      </div>
    </form>
  );
}

function NewPipelineDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (p: Pipeline) => void }) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [stages, setStages] = useState<StageDraft[]>(() => DEFAULT_STAGES.map((s) => newStage(s)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const close = () => {
    setName('');
    setStages(DEFAULT_STAGES.map((s) => newStage(s)));
    setError(null);
    onClose();
  };

  const submit = async () => {
    const names = stages.map((s) => s.name.trim()).filter(Boolean);
    if (names.length === 0) {
      setError(new ApiError(400, { detail: 'Add at least one stage.' }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const p = await api.create({ name: name.trim(), stages: names });
      toast.success(`Created ${p.name}`);
      onCreated(p);
      close();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      title="New pipeline"
      description="Name it and list its stages in order."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {busy && <Spinner />}
            Create pipeline
          </button>
        </>
      }
    >
      <div className="stack">
        {error && (
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>{error.message}</span>
          </div>
        )}
        <Field label="Pipeline name" error={error?.fieldErrors.name}>
          {(p) => <input {...p} className="input" required placeholder="e.g. Sales" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <div className="field">
          <span className="field-label">Stages</span>
          <StageEditor stages={stages} onChange={setStages} label="New pipeline stages" />
          {error?.fieldErrors.stages && <span className="field-error">{error.fieldErrors.stages}</span>}
        </div>
      </div>
    </Dialog>
  );
}
