// "Add...": pick a condition from one of five categories, or start a new logic group (F-23).
import { useEffect, useRef, useState } from 'preact/hooks'
import { FIELD_KIND, FIELD_LABEL, PROPERTY_ORDER, type Kind, type Leaf, type Node, type Operator } from '../../condition-model'
import { IconChevronLeft, IconChevronRight, IconLayers, IconPlus } from '../icons'
import { Popover } from '../popover'
import { useBuilderData, type BuilderData } from './builder-data'

type Category = 'properties' | 'attributes' | 'events' | 'experiences' | 'segments'
const CATEGORIES: [Category, string][] = [
  ['properties', 'Properties'], ['attributes', 'Custom attributes'], ['events', 'Events'], ['experiences', 'Experiences'], ['segments', 'Segments'],
]

/** The operator a new condition of each type starts with: the most common question. */
const FIRST: Record<Kind, Operator> = { string: 'contains', number: 'gte', boolean: 'is_true', date: 'less_than_days_ago', list: 'list_contains' }

interface Choice { label: string; hint?: string; make: () => Node }

function choices(cat: Category, data: BuilderData, typed: string): Choice[] {
  const free = typed.trim()
  switch (cat) {
    case 'properties':
      return [
        ...PROPERTY_ORDER.map((f) => ({ label: FIELD_LABEL[f], make: (): Leaf => ({ type: 'property', field: f, operator: FIRST[FIELD_KIND[f]], value: undefined }) })).slice(0, 5),
        { label: 'Tags', make: (): Leaf => ({ type: 'tag', operator: 'has_any', tagIds: [] }) },
        ...PROPERTY_ORDER.slice(5).map((f) => ({ label: FIELD_LABEL[f], make: (): Leaf => ({ type: 'property', field: f, operator: FIRST[FIELD_KIND[f]], value: undefined }) })),
      ]
    case 'attributes': {
      const known = data.catalog.attributes.map((a) => ({ label: a.key, hint: a.type, make: (): Leaf => ({ type: 'attribute', key: a.key, operator: FIRST[a.type], value: undefined }) }))
      const exists = known.some((k) => k.label === free)
      return free && !exists ? [...known, { label: `Use “${free}”`, hint: 'new', make: (): Leaf => ({ type: 'attribute', key: free, operator: 'is', value: undefined }) }] : known
    }
    case 'events': {
      const known = data.catalog.events.map((e) => ({ label: e, make: (): Leaf => ({ type: 'event', event: e, measure: 'did' }) }))
      return free && !data.catalog.events.includes(free) ? [...known, { label: `Use “${free}”`, hint: 'new', make: (): Leaf => ({ type: 'event', event: free, measure: 'did' }) }] : known
    }
    case 'experiences': {
      const known = data.catalog.experiences.map((x) => ({ label: x, make: (): Leaf => ({ type: 'experience', experience: x, action: 'seen' }) }))
      return free && !data.catalog.experiences.includes(free) ? [...known, { label: `Use “${free}”`, hint: 'new', make: (): Leaf => ({ type: 'experience', experience: free, action: 'seen' }) }] : known
    }
    case 'segments':
      return data.segments.filter((s) => s.id !== data.selfId).map((s) => ({ label: s.name, hint: s.kind, make: (): Leaf => ({ type: 'segment', operator: 'in', segmentId: s.id }) }))
  }
}

export function AddMenu({ onAdd, groupLogic, primary, label = 'Add...' }: { onAdd: (n: Node) => void; groupLogic: 'and' | 'or'; primary?: boolean; label?: string }) {
  return (
    <Popover label={<><IconPlus size={14} /> {label}</>} buttonClass={primary ? 'btn btn-secondary add-btn' : 'btn btn-ghost btn-sm add-btn'}>
      {(close) => <AddPanel onAdd={(n) => { onAdd(n); close() }} groupLogic={groupLogic} />}
    </Popover>
  )
}

function AddPanel({ onAdd, groupLogic }: { onAdd: (n: Node) => void; groupLogic: 'and' | 'or' }) {
  const data = useBuilderData()
  const [cat, setCat] = useState<Category | null>(null)
  const [q, setQ] = useState('')
  const box = useRef<HTMLDivElement>(null)
  // Moving between the category list and a category keeps the keyboard inside the menu.
  useEffect(() => box.current?.querySelector<HTMLElement>('input, [role=menuitem]')?.focus(), [cat])
  if (!cat) {
    return (
      <div class="menu add-menu" role="menu" aria-label="Add a condition" ref={box}>
        <div class="menu-heading">Add attribute</div>
        {CATEGORIES.map(([c, label]) => (
          <button key={c} type="button" role="menuitem" class="menu-item" onClick={() => setCat(c)}>
            <span>{label}</span>
            <IconChevronRight size={14} class="muted" />
          </button>
        ))}
        <div class="menu-sep" />
        <button type="button" role="menuitem" class="menu-item" onClick={() => onAdd({ type: 'group', logic: groupLogic === 'and' ? 'or' : 'and', conditions: [] })}>
          <IconLayers size={14} /> <span>New logic group</span>
        </button>
      </div>
    )
  }
  const term = q.trim().toLowerCase()
  const list = choices(cat, data, q).filter((c) => !term || c.label.toLowerCase().includes(term))
  return (
    <div class="menu add-menu" role="menu" aria-label={CATEGORIES.find(([c]) => c === cat)![1]} ref={box}>
      <button type="button" class="menu-back" onClick={() => { setCat(null); setQ('') }}>
        <IconChevronLeft size={14} /> {CATEGORIES.find(([c]) => c === cat)![1]}
      </button>
      {cat !== 'properties' && (
        <input
          class="input"
          placeholder={cat === 'segments' ? 'Search segments' : 'Search or type a name'}
          aria-label="Search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && list[0]) {
              e.preventDefault()
              onAdd(list[0].make())
            }
          }}
        />
      )}
      <div class="menu-scroll">
        {list.map((c) => (
          <button key={c.label} type="button" role="menuitem" class="menu-item" onClick={() => onAdd(c.make())}>
            <span>{c.label}</span>
            {c.hint && <span class="menu-hint">{c.hint}</span>}
          </button>
        ))}
        {!list.length && <p class="muted small pad">{emptyText(cat)}</p>}
      </div>
    </div>
  )
}

const emptyText = (cat: Category) =>
  cat === 'segments' ? 'No saved segments yet.' : cat === 'attributes' ? 'No custom attributes seen yet: type a key to use one.' : cat === 'events' ? 'No events seen yet: type an event name.' : 'No experiences seen yet: type an experience id.'
