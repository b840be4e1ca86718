using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EnrollmentFaceConsent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ConsentNoticeVersion",
                table: "Enrollments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentRemoteAddress",
                table: "Enrollments",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ConsentNoticeVersion",
                table: "Enrollments");

            migrationBuilder.DropColumn(
                name: "ConsentRemoteAddress",
                table: "Enrollments");
        }
    }
}
