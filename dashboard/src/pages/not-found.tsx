import { Empty } from '../components/states'
import { IconAlert } from '../components/icons'

export function NotFound() {
  return (
    <div class="page-pad">
      <Empty title="This page does not exist" icon={<IconAlert size={28} />}>
        <p>Check the address, or <a href="/">go to your users</a>.</p>
      </Empty>
    </div>
  )
}

/** A project the account is not a member of looks exactly like one that does not exist. */
export function NoAccess() {
  return (
    <div class="page-pad">
      <Empty title="You don't have access to this project" icon={<IconAlert size={28} />}>
        <p>It does not exist, or nobody has added you to it. Pick one of your projects in the menu on the left.</p>
      </Empty>
    </div>
  )
}

export function NoProjects() {
  return (
    <div class="page-pad">
      <Empty title="You are not in any project yet" icon={<IconAlert size={28} />}>
        <p>Ask an admin of your Jimer server to add you to a project.</p>
      </Empty>
    </div>
  )
}
